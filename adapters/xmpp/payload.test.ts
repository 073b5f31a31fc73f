import { describe, expect, it } from 'vitest';
import { xml } from '@xmpp/component';
import { messageStanza, outboundMessage, readMessage } from './payload.js';
import { domainInfo, puppetInfo } from './disco.js';
import { errorCondition, errorReply } from './stanzas.js';

const A = { componentDomain: 'gw.example.org', userDomains: ['example.org'] };
const puppet = 'alice\\40irc.example.net@gw.example.org';
const enc = (s: string) => new TextEncoder().encode(s);

describe('message stanzas ⇄ message-map.ts objects (RFC 6121 §5.2)', () => {
  it('reads bodies and subjects with their languages, thread, delay, origin-id and XHTML-IM', () => {
    const m = readMessage(
      xml(
        'message',
        { from: 'juliet@example.org/b', to: puppet, type: 'chat', id: 'x1', 'xml:lang': 'en' },
        xml('subject', { 'xml:lang': 'fr' }, 'Objet'),
        xml('body', {}, 'a < b'),
        xml('body', { 'xml:lang': 'de' }, 'a kleiner b'),
        xml('thread', {}, 't-1'),
        xml('delay', { xmlns: 'urn:xmpp:delay', stamp: '2002-09-10T23:08:25Z' }),
        xml('origin-id', { xmlns: 'urn:xmpp:sid:0', id: 'o-1' }),
        xml(
          'html',
          { xmlns: 'http://jabber.org/protocol/xhtml-im' },
          xml('body', { xmlns: 'http://www.w3.org/1999/xhtml' }, xml('b', {}, 'a'), ' < b'),
        ),
      ),
    );
    expect(m).toMatchObject({
      type: 'chat',
      id: 'x1',
      lang: 'en',
      thread: 't-1',
      originId: 'o-1',
      subject: [{ text: 'Objet', lang: 'fr' }],
      body: [{ text: 'a < b' }, { text: 'a kleiner b', lang: 'de' }],
      xhtml: '<b>a</b> &lt; b',
    });
    expect(m.delay?.toISOString()).toBe('2002-09-10T23:08:25.000Z');
    expect(readMessage(xml('message', { type: 'bogus' })).type).toBe('normal');
  });

  it('writes a stanza with escaped text, dropping what XML cannot carry, and a receipt request', () => {
    const s = messageStanza(
      {
        from: puppet,
        to: 'juliet@example.org',
        type: 'chat',
        body: [{ text: 'x<&>\u0001y' }],
        subject: [{ text: 's' }],
      },
      'id-1',
      true,
    );
    expect(s.toString()).toBe(
      `<message from="${puppet}" to="juliet@example.org" type="chat" id="id-1"><subject>s</subject>` +
        '<body>x&lt;&amp;&gt;y</body><request xmlns="urn:xmpp:receipts"/></message>',
    );
  });

  it('reads a bare text/plain payload, and refuses what is not text (RFC 3922 §4.2.9)', async () => {
    const o = { from: puppet, to: 'juliet@example.org', limits: { maxDepth: 8, maxParts: 100 } };
    expect((await outboundMessage(undefined, enc('hi'), A, o)).body).toEqual([{ text: 'hi' }]);
    await expect(outboundMessage('image/png', enc('\u0089PNG'), A, o)).rejects.toMatchObject({
      type: 'malformed',
    });
  });
});

describe('disco answers and error stanzas', () => {
  it('names the gateway and a puppet (XEP-0030 §3.1)', () => {
    const d = domainInfo('CPIM gateway');
    expect(d.getChild('identity')?.attrs).toMatchObject({ category: 'gateway', name: 'CPIM gateway' });
    expect(d.getChildren('feature').map((f) => f.attrs.var)).toContain('urn:xmpp:receipts');
    expect(puppetInfo('alice@irc.example.net', 'n1').attrs.node).toBe('n1');
  });

  it('answers a stanza with its id, addresses swapped, and reads the condition back (RFC 6120 §8.3)', () => {
    const e = errorReply(xml('message', { from: 'a@example.org/r', to: puppet, id: 'q' }), {
      condition: 'item-not-found',
      type: 'cancel',
      text: 'no <one>',
    });
    expect(e.attrs).toMatchObject({ from: puppet, to: 'a@example.org/r', id: 'q', type: 'error' });
    expect(errorCondition(e)).toEqual({ condition: 'item-not-found', text: 'no <one>' });
  });
});
