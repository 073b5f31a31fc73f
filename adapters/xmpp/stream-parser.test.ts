import { describe, expect, it } from 'vitest';
import type { Element } from '@xmpp/component';
import { XmppStreamParser, oversized, type StreamXmlError } from './stream-parser.js';

const HEADER =
  "<?xml version='1.0'?><stream:stream xmlns='jabber:component:accept' " +
  "xmlns:stream='http://etherx.jabber.org/streams' id='abc' from='gw.localhost'>";

function feed(chunks: readonly (string | Buffer)[], maxStanzaBytes = 4096) {
  const p = new XmppStreamParser({ maxStanzaBytes });
  const elements: Element[] = [];
  const errors: StreamXmlError[] = [];
  let start: Element | undefined;
  p.on('start', (e: Element) => (start = e));
  p.on('element', (e: Element) => elements.push(e));
  p.on('error', (e: StreamXmlError) => errors.push(e));
  for (const c of chunks) p.write(c);
  return { elements, errors, start: () => start };
}

describe('XmppStreamParser (RFC 6120 §11.1 restricted XML)', () => {
  it('reads the stream header and stanzas, with namespaces resolved through the root', () => {
    const r = feed([
      HEADER,
      "<message from='a@b' to='c@gw.localhost'><body>x &amp; &lt;y&gt;</body></message>",
    ]);
    expect(r.start()?.attrs.id).toBe('abc');
    expect(r.elements).toHaveLength(1);
    expect(r.elements[0]!.getChildText('body')).toBe('x & <y>');
    expect(r.elements[0]!.is('message', 'jabber:component:accept')).toBe(true);
    expect(r.errors).toEqual([]);
  });

  it('gives the same stanzas whatever the chunking, multi-byte characters split too', () => {
    const whole = Buffer.from(HEADER + "<message><body>héllo 👋</body></message><iq type='get' id='1'/>");
    for (const cut of [1, 2, 3, 7, 50]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < whole.length; i += cut) chunks.push(whole.subarray(i, i + cut));
      const r = feed(chunks);
      expect(r.errors).toEqual([]);
      expect(r.elements.map((e) => e.toString())).toEqual([
        '<message><body>héllo 👋</body></message>',
        '<iq type="get" id="1"/>',
      ]);
    }
  });

  it('refuses a DOCTYPE with an internal subset before the stream: restricted-xml, nothing expanded', () => {
    const r = feed([
      '<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "AAAAAAAAAA"><!ENTITY b "&a;&a;&a;&a;">]>',
      HEADER.replace("<?xml version='1.0'?>", ''),
      '<message><body>&b;</body></message>',
    ]);
    expect(r.errors.map((e) => e.condition)).toEqual(['restricted-xml']);
    expect(r.start()).toBeUndefined();
    expect(r.elements).toEqual([]);
  });

  it('refuses a DOCTYPE or ENTITY declaration inside the stream (not well-formed there)', () => {
    for (const decl of ['<!DOCTYPE lol [<!ENTITY a "AAAA">]>', '<!ENTITY a "AAAA">']) {
      const r = feed([HEADER, decl, '<message><body>&a;</body></message>']);
      expect(r.errors).toHaveLength(1);
      expect(['restricted-xml', 'not-well-formed']).toContain(r.errors[0]!.condition);
      expect(r.elements).toEqual([]);
    }
  });

  it('refuses an undefined entity reference as not well-formed (it is not expanded)', () => {
    const r = feed([HEADER, '<message><body>&xxe;</body></message>']);
    expect(r.errors.map((e) => e.condition)).toEqual(['not-well-formed']);
    expect(r.elements).toEqual([]);
  });

  it('refuses comments and processing instructions inside the stream', () => {
    expect(feed([HEADER, '<!-- hi --><message/>']).errors[0]?.condition).toBe('restricted-xml');
    expect(feed([HEADER, '<?php x ?><message/>']).errors[0]?.condition).toBe('restricted-xml');
  });

  it('refuses malformed XML and reads nothing after it', () => {
    const r = feed([HEADER, '<message><body>x</bodyy></message>', '<message/>']);
    expect(r.errors.map((e) => e.condition)).toEqual(['not-well-formed']);
    expect(r.elements).toEqual([]);
  });

  it('emits an oversized stanza with its attributes only, marked, and goes on with the next', () => {
    const big = 'x'.repeat(5000);
    const r = feed(
      [
        HEADER,
        `<message from='a@b' id='m1'><body>${big}</body></message><message id='m2'><body>ok</body></message>`,
      ],
      1024,
    );
    expect(r.errors).toEqual([]);
    expect(r.elements.map((e) => e.attrs.id)).toEqual(['m1', 'm2']);
    expect(oversized.has(r.elements[0]!)).toBe(true);
    expect(r.elements[0]!.children).toEqual([]);
    expect(r.elements[0]!.attrs.from).toBe('a@b');
    expect(oversized.has(r.elements[1]!)).toBe(false);
    expect(r.elements[1]!.getChildText('body')).toBe('ok');
  });

  it('closes the stream when one stanza never ends past the hard limit', () => {
    const r = feed(
      [HEADER, '<message><body>', ...Array.from({ length: 20 }, () => 'y'.repeat(64 * 1024))],
      1024,
    );
    expect(r.errors.map((e) => e.condition)).toEqual(['policy-violation']);
  });
});
