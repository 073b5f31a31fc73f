import { describe, expect, it } from 'vitest';
import { CodecError } from '../../errors.js';
import { newMessageId } from '../../protocol/message-id.js';
import { parseCpim } from './parse.js';
import {
  editFallback,
  quoteSnippet,
  reactionFallback,
  replyFallback,
  retractionFallback,
} from './relation-fallbacks.js';
import {
  MSG_NS,
  isMsgId,
  readRelations,
  relationHeaders,
  requiredRelationNames,
  stripFallback,
  unmetRequireAction,
  type Relations,
} from './relations.js';
import { unmetRequirements } from './require.js';
import { buildCpim } from './serialize.js';
import type { CpimMessage } from './types.js';

// The spec's examples write To: <im:#dev@…>, whose '#' starts a URI fragment (RFC 3986 3.5).
const HEAD =
  'From: Alice <im:alice@example.org>\r\nTo: <im:dev@irc.example.net>\r\nDateTime: 2026-03-01T10:00:05Z\r\n';

function parse(cpimHeaders: string, body = ''): CpimMessage {
  const text = `${HEAD}${cpimHeaders}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}`;
  const r = parseCpim(Buffer.from(text, 'utf8'), { startsWith: 'cpim-headers', mode: 'lenient' });
  if (r.result === 'reject') throw new Error(r.reason);
  return r.message;
}

function roundTrip(r: Relations, body: string): { message: CpimMessage; relations: Relations } {
  const h = relationHeaders(r, body === '');
  const bytes = buildCpim({
    startsWith: 'cpim-headers',
    from: { uri: 'im:alice@example.org' },
    to: [{ uri: 'im:bob@example.org' }],
    dateTime: '2026-03-01T10:00:05Z',
    ns: h.ns,
    ...(h.require.length > 0 ? { require: h.require } : {}),
    extraHeaders: h.extraHeaders,
    contentHeaders: [['Content-Type', 'text/plain; charset=UTF-8']],
    body,
  });
  const p = parseCpim(bytes, { startsWith: 'cpim-headers', mode: 'strict' });
  if (p.result === 'reject') throw new Error(p.reason);
  return { message: p.message, relations: readRelations(p.message) };
}

describe('Msg namespace (message-semantics 2.6 example vectors)', () => {
  it('reads the edit example: Replaces the original, `* ` is fallback', () => {
    const m = parse(
      'NS: Msg <tag:cpim-gateway.org,2026:msg>\r\nMsg.ID: 01HV6Z6Q8Y3W2T5N0M4K7R9B1C\r\nMsg.Replaces: 01HV6Z5X0A1B2C3D4E5F6G7H8J\r\nMsg.Fallback: 0-2\r\n',
      '* the build is green now',
    );
    const r = readRelations(m);
    expect(r).toEqual({
      id: '01HV6Z6Q8Y3W2T5N0M4K7R9B1C',
      replaces: '01HV6Z5X0A1B2C3D4E5F6G7H8J',
      fallback: [{ start: 0, end: 2 }],
    });
    expect(stripFallback('* the build is green now', r.fallback)).toBe('the build is green now');
  });

  it('reads the silent reaction example, whose Require a receiver without Msg cannot meet', () => {
    const m = parse(
      'NS: Msg <tag:cpim-gateway.org,2026:msg>\r\nRequire: Msg.Reaction\r\nMsg.ID: 01HV6Z7M2P4Q6R8S0T2V4W6X8Y\r\nMsg.Reaction: add 01HV6Z5X0A1B2C3D4E5F6G7H8J 👍\r\n',
    );
    expect(readRelations(m)).toEqual({
      id: '01HV6Z7M2P4Q6R8S0T2V4W6X8Y',
      reaction: { op: 'add', target: '01HV6Z5X0A1B2C3D4E5F6G7H8J', key: '👍' },
    });
    expect(unmetRequirements(m, [])).toHaveLength(1);
    expect(unmetRequirements(m, [{ namespace: MSG_NS, name: 'Reaction' }])).toHaveLength(0);
  });

  it('looks headers up by namespace URI, not by prefix (RFC 3862 3.4)', () => {
    const m = parse(
      'NS: R <tag:cpim-gateway.org,2026:msg>\r\nNS: Msg <urn:example:other>\r\nR.Reply-To: abc\r\nMsg.Reply-To: not-this-one\r\n',
      'hi',
    );
    expect(readRelations(m)).toEqual({ replyTo: 'abc' });
  });
});

describe('Msg validation', () => {
  const ns = 'NS: Msg <tag:cpim-gateway.org,2026:msg>\r\n';
  const fails = (headers: string, pattern: RegExp): void => {
    const m = parse(ns + headers, 'x');
    expect(() => readRelations(m)).toThrow(CodecError);
    expect(() => readRelations(m)).toThrow(pattern);
  };
  it('refuses malformed ids, repeats, contradictions and loops with a clear CodecError', () => {
    fails('Msg.Reply-To: has:colon\r\n', /Msg.Reply-To .* is no msg-id/);
    fails(`Msg.ID: ${'a'.repeat(65)}\r\n`, /no msg-id/);
    fails('Msg.ID: a\r\nMsg.ID: b\r\n', /appears twice/);
    fails('Msg.Replaces: a\r\nMsg.Retracts: b\r\n', /at most one/);
    fails('Msg.ID: a\r\nMsg.Reply-To: a\r\n', /relates to itself/);
    fails('Msg.Reaction: like a\r\n', /add\|remove/);
    fails('Msg.Fallback: 5-2\r\n', /empty or reversed/);
    fails('Msg.Fallback: x\r\n', /not start-end/);
    fails('Msg.Part: 3/2\r\n', /n\/m/);
  });
  it('accepts the gateway ids (src/protocol/message-id.ts) as msg-ids', () => {
    for (let i = 0; i < 50; i++) expect(isMsgId(newMessageId())).toBe(true);
    expect(isMsgId('')).toBe(false);
    expect(isMsgId(':x')).toBe(false);
  });
  it('ignores names of the namespace it does not know', () => {
    expect(readRelations(parse(ns + 'Msg.Colour: blue\r\n', 'x'))).toEqual({});
  });
});

describe('writing Msg headers', () => {
  it('round-trips every relation, the reaction key through CPIM escapes', () => {
    const r: Relations = {
      id: 'lz3abc_DEF-1',
      replyTo: 'parent.1',
      thread: 'root~2',
      fallback: [
        { start: 0, end: 12 },
        { start: 20, end: null },
      ],
      part: { n: 1, of: 3 },
    };
    expect(roundTrip(r, 'text').relations).toEqual(r);
    const reaction: Relations = { id: 'x1', reaction: { op: 'remove', target: 'y2', key: 'thumbs \\ up' } };
    expect(roundTrip(reaction, '').relations).toEqual(reaction);
  });

  it('Require only for a silent reaction or retraction (spec 2.2)', () => {
    const silent = roundTrip({ id: 'a', retracts: 'b' }, '').message;
    expect(silent.semantics.required).toEqual([{ prefix: 'Msg', namespace: MSG_NS, name: 'Retracts' }]);
    expect(roundTrip({ id: 'a', retracts: 'b' }, '(x deleted a message)').message.semantics.required).toEqual(
      [],
    );
    expect(roundTrip({ id: 'a', replaces: 'b' }, '').message.semantics.required).toEqual([]);
    expect(requiredRelationNames({ reaction: { op: 'add', target: 'b', key: '👍' } }, true)).toEqual([
      'Reaction',
    ]);
    expect(requiredRelationNames({ replyTo: 'b' }, true)).toEqual([]);
  });

  it('writes nothing for no relations and refuses what it could not read back', () => {
    expect(relationHeaders({}, false)).toEqual({ ns: [], require: [], extraHeaders: [] });
    expect(() => relationHeaders({ replyTo: 'a b' }, false)).toThrow(CodecError);
    expect(() => relationHeaders({ reaction: { op: 'add', target: 'a', key: '' } }, true)).toThrow(/key/);
    expect(() => relationHeaders({ replaces: 'a', retracts: 'a' }, false)).toThrow(/at most one/);
  });
});

describe('fallbacks (spec 2.3) and stripFallback', () => {
  it('reply: a quote line of the parent, stripped back to the reply', () => {
    const f = replyFallback('bob', 'the build\nis red', 'fixed it');
    expect(f.body).toBe('> bob: the build is red\nfixed it');
    expect(stripFallback(f.body, f.fallback)).toBe('fixed it');
    const unknown = replyFallback('bob', undefined, 'ok');
    expect(unknown.body).toBe('bob: ok');
    expect(stripFallback(unknown.body, unknown.fallback)).toBe('ok');
  });
  it('counts code points, not UTF-16 units', () => {
    const f = replyFallback('😀bob', '👍👍', 'é');
    expect(stripFallback(f.body, f.fallback)).toBe('é');
    expect(quoteSnippet('x'.repeat(100))).toBe(`${'x'.repeat(80)}…`);
  });
  it('edit, retraction and reaction', () => {
    const e = editFallback('new text');
    expect(e.body).toBe('* new text');
    expect(stripFallback(e.body, e.fallback)).toBe('new text');
    const d = retractionFallback('alice');
    expect(d.body).toBe('(alice deleted a message)');
    expect(stripFallback(d.body, d.fallback)).toBe('');
    const r = reactionFallback('alice', '👍', { nick: 'bob', text: 'ship it' });
    expect(r.body).toBe('alice reacted 👍 to bob: "ship it"');
    expect(stripFallback(r.body, r.fallback)).toBe('');
  });
  it('clips ranges past the end and merges overlaps', () => {
    expect(
      stripFallback('abcdef', [
        { start: 1, end: 3 },
        { start: 2, end: 4 },
        { start: 5, end: 99 },
      ]),
    ).toBe('ae');
    expect(stripFallback('abc', undefined)).toBe('abc');
  });

  describe('unmetRequireAction (RFC 3862 §3.5 for receivers without the Msg namespace)', () => {
    it('drops a silent reaction or deletion, refuses other unmet requirements, passes the rest', () => {
      const silent = parse(
        'NS: Msg <tag:cpim-gateway.org,2026:msg>\r\nRequire: Msg.Reaction\r\nMsg.ID: r1\r\nMsg.Reaction: add m1 x\r\n',
      );
      expect(unmetRequireAction(silent)).toEqual({ action: 'drop', what: 'a reaction' });
      const gone = parse(
        'NS: Msg <tag:cpim-gateway.org,2026:msg>\r\nRequire: Msg.Retracts\r\nMsg.ID: r2\r\nMsg.Retracts: m1\r\n',
      );
      expect(unmetRequireAction(gone)).toEqual({ action: 'drop', what: 'a deletion' });
      const other = parse('NS: X <tag:example.org,2026:x>\r\nRequire: X.Magic\r\nX.Magic: 1\r\n', 'hi');
      expect(unmetRequireAction(other)).toMatchObject({ action: 'refuse' });
      expect(unmetRequireAction(parse('', 'plain'))).toBeNull();
    });
  });
});
