import { describe, expect, it, vi } from 'vitest';
import { MessageIds } from '../../src/index.js';
import { NO_CAPS, type IrcCaps } from './caps.js';
import { EchoLabels } from './echoes.js';
import { lineTime } from './inbound.js';
import { escapeTagValue, inboundRelations, outboundRelation } from './relations.js';
import { ReplyAuthors } from './reply-quote.js';

const DAVE = { nick: 'dave' };
const TAGS: IrcCaps = {
  ...NO_CAPS,
  messageTags: true,
  echoMessage: true,
  labeledResponse: true,
  batch: true,
};

function ids(): MessageIds {
  const m = new MessageIds(null, 'irc-test', { maxPairs: 100 });
  void m.record('090~1~3', 'GW-PARENT');
  return m;
}

describe('IRC replies and reactions (client-tags/reply, client-tags/react)', () => {
  it('reads +draft/reply and +draft/react of a recorded InspIRCd line as gateway ids', () => {
    const m = ids();
    expect(inboundRelations({ msgid: '090~1~4', '+draft/reply': '090~1~3' }, m)).toEqual({
      replyTo: 'GW-PARENT',
    });
    expect(inboundRelations({ '+draft/reply': '090~1~3', '+draft/react': '👍' }, m)).toEqual({
      reaction: { op: 'add', target: 'GW-PARENT', key: '👍' },
    });
    expect(inboundRelations({ '+draft/reply': '090~1~3', '+draft/unreact': '👍' }, m)).toEqual({
      reaction: { op: 'remove', target: 'GW-PARENT', key: '👍' },
    });
    // spec §2.4: a parent the gateway never saw is no relation; a react without reply is none.
    expect(inboundRelations({ '+draft/reply': 'unknown' }, m)).toBeNull();
    expect(inboundRelations({ '+draft/react': '👍' }, m)).toBeNull();
    expect(inboundRelations(undefined, m)).toBeNull();
  });

  it('writes a reply as +draft/reply with message-tags, else as a nick prefix', () => {
    const m = ids();
    expect(outboundRelation({ replyTo: 'GW-PARENT' }, TAGS, m, DAVE)).toEqual({
      kind: 'tags',
      tags: '+draft/reply=090~1~3',
    });
    expect(outboundRelation({ replyTo: 'GW-PARENT' }, NO_CAPS, m, DAVE)).toEqual({
      kind: 'prefix',
      prefix: 'dave: ',
    });
    // A parent IRC never had (no msgid): the prefix, or nothing when the author is unknown too.
    expect(outboundRelation({ replyTo: 'GW-OTHER' }, TAGS, m, DAVE)).toEqual({
      kind: 'prefix',
      prefix: 'dave: ',
    });
    expect(outboundRelation({ replyTo: 'GW-OTHER' }, TAGS, m, undefined)).toEqual({ kind: 'none' });
    expect(outboundRelation(undefined, TAGS, m, undefined)).toEqual({ kind: 'none' });
  });

  it('writes a reaction as a TAGMSG with +draft/reply and +draft/react, or drops it', () => {
    const m = ids();
    const add = { reaction: { op: 'add' as const, target: 'GW-PARENT', key: 'a b;c' } };
    expect(outboundRelation(add, TAGS, m, DAVE)).toEqual({
      kind: 'tagmsg',
      tags: '+draft/reply=090~1~3;+draft/react=a\\sb\\:c',
    });
    expect(outboundRelation(add, NO_CAPS, m, DAVE).kind).toBe('drop');
    expect(outboundRelation({ reaction: { ...add.reaction, op: 'remove' } }, TAGS, m, DAVE).kind).toBe(
      'drop',
    );
    expect(outboundRelation({ reaction: { ...add.reaction, target: 'GW-OTHER' } }, TAGS, m, DAVE).kind).toBe(
      'drop',
    );
  });

  it('escapes tag values (message-tags "Escaping values")', () => {
    expect(escapeTagValue('a;b c\\d\r\n')).toBe('a\\:b\\sc\\\\d\\r\\n');
  });
});

describe('plain IRC reply quotes (spec §1.2)', () => {
  const bounds = { maxEntries: 100, maxAgeMs: 60_000 };
  it("quotes an older line of the parent's author, not the latest; never when told", () => {
    const a = new ReplyAuthors(bounds, { quote: 'older', quoteChars: 10 });
    a.note('GW-1', 'dave', 'the first   thing dave said, a long line');
    a.note('GW-2', 'dave', 'second');
    expect(a.parent('GW-2')).toEqual({ nick: 'dave' });
    expect(a.parent('GW-1')).toEqual({ nick: 'dave', quote: '> dave: the first …' });
    expect(a.parent('GW-9')).toBeUndefined();
    expect(outboundRelation({ replyTo: 'GW-1' }, NO_CAPS, undefined, a.parent('GW-1'))).toEqual({
      kind: 'prefix',
      prefix: 'dave: ',
      quote: '> dave: the first …',
    });
    const never = new ReplyAuthors(bounds, { quote: 'never', quoteChars: 10 });
    never.note('GW-1', 'dave', 'old');
    never.note('GW-2', 'dave', 'new');
    expect(never.parent('GW-1')).toEqual({ nick: 'dave' });
  });
});

describe('reply authors: a ring of the latest lines (issue 18)', () => {
  it('keeps the latest maxEntries lines, forgets the oldest first, and each nick its latest', () => {
    const a = new ReplyAuthors({ maxEntries: 3, maxAgeMs: 60_000 }, { quote: 'older', quoteChars: 10 });
    a.note('GW-1', 'dave', 'one');
    a.note('GW-2', 'erin', 'two');
    a.note('GW-3', 'dave', 'three');
    expect(a.parent('GW-1')).toEqual({ nick: 'dave', quote: '> dave: one' });
    a.note('GW-4', 'erin', 'four'); // takes GW-1's slot
    expect(a.parent('GW-1')).toBeUndefined();
    expect(a.about('GW-1')).toEqual({});
    expect(a.parent('GW-2')).toEqual({ nick: 'erin', quote: '> erin: two' });
    expect(a.parent('GW-3')).toEqual({ nick: 'dave' });
    expect(a.parent('GW-4')).toEqual({ nick: 'erin' });
    a.note('GW-5', 'frank', 'five'); // takes GW-2's slot
    a.note('GW-6', 'frank', 'six'); // takes GW-3's slot: dave has no line left
    expect(a.parent('GW-3')).toBeUndefined();
    expect(a.about('GW-4')).toEqual({ nick: 'erin', text: 'four' });
    expect(a.parent('GW-5')).toEqual({ nick: 'frank', quote: '> frank: five' });
    // The same id noted again moves to the newest slot (never two slots for one id).
    a.note('GW-4', 'erin', 'again');
    a.note('GW-7', 'gina', 'seven');
    a.note('GW-8', 'gina', 'eight');
    expect(a.about('GW-4')).toEqual({ nick: 'erin', text: 'again' });
    expect(a.about('GW-5')).toEqual({});
  });

  it('forgets a line unused for maxAgeMs; reading it restarts its age', () => {
    let now = 1000;
    const clock = vi.spyOn(performance, 'now').mockImplementation(() => now);
    try {
      const a = new ReplyAuthors({ maxEntries: 10, maxAgeMs: 100 }, { quote: 'older', quoteChars: 10 });
      a.note('GW-1', 'dave', 'one');
      a.note('GW-2', 'dave', 'two');
      now += 90;
      expect(a.parent('GW-1')).toEqual({ nick: 'dave', quote: '> dave: one' });
      now += 90;
      expect(a.about('GW-1')).toEqual({ nick: 'dave', text: 'one' });
      expect(a.parent('GW-2')).toBeUndefined();
      now += 100;
      expect(a.parent('GW-1')).toBeUndefined();
    } finally {
      clock.mockRestore();
    }
  });
});

describe('echo labels (labeled-response)', () => {
  it('names each send once, and forgets the oldest past the bound', () => {
    const l = new EchoLabels(2);
    const a = l.label('GW-A');
    const b = l.label('GW-B');
    expect(a).not.toBe(b);
    expect(l.take({ label: a, msgid: 'm1' })).toEqual({ gatewayId: 'GW-A', msgid: 'm1' });
    expect(l.take({ label: a, msgid: 'm1' })).toBeNull();
    l.label('GW-C');
    l.label('GW-D');
    expect(l.size).toBe(2);
    expect(l.take({ label: b, msgid: 'm2' })).toBeNull();
    // A label without a msgid (a server without message-ids) maps nothing.
    expect(l.take({ label: 'gw3' })).toBeNull();
  });
});

describe('server-time', () => {
  it("takes a line's time from the server's time tag, else the clock", () => {
    const t = Date.parse('2026-03-01T10:00:05.123Z');
    expect(lineTime({ nick: 'dave', target: '#dev', message: 'hi', time: t })).toBe(t);
    const now = Date.now();
    expect(lineTime({ nick: 'dave', target: '#dev', message: 'hi' })).toBeGreaterThanOrEqual(now);
  });
});
