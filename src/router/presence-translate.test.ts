// The core's presence translator (issue 12, docs/hub-protocol.md part 5.4): formats, cache, warn-once.
import { describe, expect, it } from 'vitest';
import { buildPidf, parsePidf } from '../codec/pidf/index.js';
import { parsePresenceText } from '../codec/presence-text/index.js';
import { captureLog } from '../../test/support/hub-tcp.js';
import { createPresenceTranslator, formatOf, PIDF_TYPE, PRESENCE_TEXT_TYPE } from './presence-translate.js';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const WARN = 'presence not translated; watchers see it as unknown';

const OPEN = 'contact = "im:alice@gw.test" { status = "open" }\r\n';
const CLOSED = 'contact = "im:alice@gw.test" { status = "closed" }\r\n';

describe('presence translation in the core', () => {
  it('application/presence open/closed → PIDF basic open/closed, entity from the Presentity header', () => {
    const t = createPresenceTranslator();
    for (const [text, basic] of [
      [OPEN, 'open'],
      [CLOSED, 'closed'],
    ] as const) {
      const out = t(
        { contentType: PRESENCE_TEXT_TYPE, bytes: enc(text) },
        PIDF_TYPE,
        'presence:alice@gw.test',
      );
      expect(out?.contentType).toBe(PIDF_TYPE);
      const doc = parsePidf(out!.bytes).document;
      expect(doc.entity).toBe('pres:alice@gw.test');
      expect(doc.tuples.map((x) => [x.basic, x.contact?.uri])).toEqual([[basic, 'im:alice@gw.test']]);
    }
  });

  it('an unlabelled PI is application/presence (PITP default), unless it is XML', () => {
    expect(formatOf({ bytes: enc(OPEN) })).toBe(PRESENCE_TEXT_TYPE);
    expect(formatOf({ bytes: enc('\r\n  <?xml version="1.0"?><presence/>') })).toBe(PIDF_TYPE);
    expect(formatOf({ contentType: 'Application/PIDF+XML; charset=UTF-8', bytes: enc('x') })).toBe(PIDF_TYPE);
    const t = createPresenceTranslator();
    const unlabelledText = t({ bytes: enc(OPEN) }, PIDF_TYPE, 'presence:alice@gw.test');
    expect(parsePidf(unlabelledText!.bytes).document.tuples[0]!.basic).toBe('open');
    // Unlabelled PIDF asked for as PIDF: the same octets, labelled.
    const xml = enc(buildPidf({ entity: 'pres:a@b', tuples: [{ id: 't', basic: 'open' }] }));
    const relabelled = t({ bytes: xml }, PIDF_TYPE);
    expect(relabelled?.contentType).toBe(PIDF_TYPE);
    expect(relabelled?.bytes).toBe(xml);
  });

  it('PIDF → application/presence; a tuple without contact becomes the presentity’s im: address', () => {
    const t = createPresenceTranslator();
    const xml = buildPidf({ entity: 'pres:bob@irc.test', tuples: [{ id: 'irc', basic: 'closed' }] });
    const out = t({ contentType: PIDF_TYPE, bytes: enc(xml) }, PRESENCE_TEXT_TYPE);
    expect(out?.contentType).toBe(PRESENCE_TEXT_TYPE);
    const doc = parsePresenceText(out!.bytes).document;
    expect(doc.presentity).toBe('presence:bob@irc.test');
    expect(doc.contacts.map((c) => [c.url, c.status])).toEqual([['im:bob@irc.test', 'closed']]);
  });

  it('caches per published version: the same octets give the same object, new octets a new one', () => {
    const t = createPresenceTranslator();
    const pi = { contentType: PRESENCE_TEXT_TYPE, bytes: enc(OPEN) };
    const first = t(pi, PIDF_TYPE, 'presence:alice@gw.test');
    expect(t({ ...pi }, PIDF_TYPE, 'presence:alice@gw.test')).toBe(first);
    const next = t(
      { contentType: PRESENCE_TEXT_TYPE, bytes: enc(OPEN) },
      PIDF_TYPE,
      'presence:alice@gw.test',
    );
    expect(next).not.toBe(first);
    expect(dec(next!.bytes)).toBe(dec(first!.bytes));
  });

  it('unknown or unreadable PI: null (passed on as it is) and one warn per version', () => {
    const cap = captureLog();
    const t = createPresenceTranslator(cap.log);
    const odd = { contentType: 'text/x-mood', bytes: enc('grumpy') };
    for (let i = 0; i < 3; i++) expect(t(odd, PIDF_TYPE, 'presence:a@gw.test')).toBeNull();
    const broken = { contentType: PRESENCE_TEXT_TYPE, bytes: enc('contact = "im:a@gw.test" { status') };
    for (let i = 0; i < 3; i++) expect(t(broken, PIDF_TYPE, 'presence:a@gw.test')).toBeNull();
    const warns = cap.lines.filter((l) => l.msg === WARN);
    expect(warns.map((l) => [l.level, l.contentType])).toEqual([
      [40, 'text/x-mood'],
      [40, PRESENCE_TEXT_TYPE],
    ]);
    expect(String(warns[0]!.reason)).toContain('no translation from text/x-mood');
    // A new version of the same unknown document is warned about again.
    expect(t({ ...odd, bytes: enc('grumpy') }, PIDF_TYPE)).toBeNull();
    expect(cap.lines.filter((l) => l.msg === WARN)).toHaveLength(3);
  });

  it('signed bodies are never rewritten', () => {
    const t = createPresenceTranslator();
    const signed = {
      contentType: 'multipart/signed; protocol="application/pkcs7-signature"',
      bytes: enc('--b'),
    };
    expect(t(signed, PRESENCE_TEXT_TYPE)).toBeNull();
  });
});
