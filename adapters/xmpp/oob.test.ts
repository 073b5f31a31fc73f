import { describe, expect, it } from 'vitest';
import { xml } from '@xmpp/component';
import {
  buildCpim,
  buildMixed,
  HubError,
  parseCpim,
  readExternalBody,
  renderContent,
} from '../../src/index.js';
import type { XmppAddressing } from './addresses.js';
import { cpimToXmppMessage, xmppToCpimMessage } from './message-map.js';
import { groupchatMessage } from './muc-stanzas.js';
import { messageStanza, readMessage } from './payload.js';

const GW: XmppAddressing = { componentDomain: 'xmpp-gw.example.org', userDomains: ['example.com'] };
const URL1 = 'https://files.example/f/AbCdEfGhIjKlMnOpQrStUvWx/cat.png';
const LINK = { url: URL1, contentType: 'image/png', filename: 'cat.png', size: 307200 };

function cpimOf(
  caption: string,
  inline: Parameters<typeof buildMixed>[1],
  links: Parameters<typeof buildMixed>[2],
) {
  const m = buildMixed(caption, inline, links, 'b');
  return buildCpim({
    startsWith: 'cpim-headers',
    from: { formalName: null, uri: 'im:alice@gw.example.org' },
    to: [{ uri: 'im:juliet@example.com' }],
    dateTime: new Date('2026-12-04T10:00:00Z'),
    contentHeaders: [['Content-Type', m.contentType]],
    body: m.body,
  });
}

describe('files kept by the gateway, to XMPP as XEP-0066 out-of-band links (issue 17)', () => {
  it('a lone linked file: the body is the URL and an <x xmlns="jabber:x:oob"><url> carries it', async () => {
    const m = await cpimToXmppMessage(cpimOf('', [], [LINK]), GW, { type: 'chat' });
    expect(m.body).toEqual([{ text: URL1 }]);
    expect(m.oob).toEqual([URL1]);
    const stanza = messageStanza(m, 'id1', false).toString();
    expect(stanza).toContain(`<body>${URL1}</body>`);
    expect(stanza).toContain(`<x xmlns="jabber:x:oob"><url>${URL1}</url></x>`);
  });

  it('with a caption: the caption and the link line in the body, the link out of band', async () => {
    const m = await cpimToXmppMessage(cpimOf('look', [], [LINK]), GW, { type: 'chat' });
    expect(m.body).toEqual([{ text: `look\ncat.png (image/png, 300 KiB): ${URL1}` }]);
    expect(m.oob).toEqual([URL1]);
  });

  it('a file inside the message alone is still refused: XMPP has no link for it', async () => {
    const err = await cpimToXmppMessage(
      cpimOf('', [{ filename: 'a.png', contentType: 'image/png', content: Buffer.from('x') }], []),
      GW,
      { type: 'chat' },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HubError);
  });

  it('a message without links has no oob', async () => {
    const m = await cpimToXmppMessage(cpimOf('plain', [], []), GW, { type: 'chat' });
    expect(m.oob).toBeUndefined();
    expect(messageStanza(m, 'id2', false).toString()).not.toContain('jabber:x:oob');
  });
});

describe("an XMPP user's file (XEP-0363 upload, then body = XEP-0066 URL) to the hub (issue 17)", () => {
  const UP = 'https://upload.example.com/AbC/holiday%20photo.jpg';
  const stanza = (body: string, ...urls: string[]) =>
    xml(
      'message',
      { from: 'juliet@example.com/phone', to: 'alice\\40gw.example.org@xmpp-gw.example.org', type: 'chat' },
      xml('body', {}, body),
      ...urls.map((u) => xml('x', { xmlns: 'jabber:x:oob' }, xml('url', {}, u))),
    );
  const entity = (payload: Uint8Array) => {
    const p = parseCpim(payload, { startsWith: 'cpim-headers', mode: 'strict', role: 'endpoint' });
    if (p.result === 'reject') throw new Error(p.reason);
    const type = p.message.contentHeaders.find((h) => /^content-type$/i.test(h.name))!.value;
    return { type, body: p.message.body };
  };

  it('becomes a multipart/mixed with one message/external-body link part, named from the URL', async () => {
    const m = readMessage(stanza(UP, UP));
    expect(m.oob).toEqual([UP]);
    const e = entity(xmppToCpimMessage(m, GW, new Date())!.payload);
    expect(e.type).toMatch(/^multipart\/mixed;/);
    const r = await renderContent(e.type, undefined, e.body, {});
    expect(r.hasText).toBe(false);
    expect(r.attachments).toHaveLength(1);
    expect(r.attachments[0]).toMatchObject({ url: UP, filename: 'holiday photo.jpg' });
    // What IRC and the other text-only readers write for it (docs/message-semantics.md).
    expect(r.text).toBe(`holiday photo.jpg (application/octet-stream): ${UP}`);
    const part = Buffer.from(e.body).toString('utf8');
    expect(
      readExternalBody(undefined, part.slice(part.indexOf('Content-Type: application/octet-stream'))),
    ).toMatchObject({ url: UP, size: 0 });
  });

  it('a body that is not the OOB URL, or an OOB URL without it, stays text', () => {
    for (const st of [stanza(`see ${UP}`, UP), stanza(UP), stanza('hi', UP)]) {
      const e = entity(xmppToCpimMessage(readMessage(st), GW, new Date())!.payload);
      expect(e.type).toMatch(/^text\/plain/);
    }
  });

  it('a URL that is not http(s) is not read as a link', () => {
    expect(readMessage(stanza('javascript:alert(1)', 'javascript:alert(1)')).oob).toBeUndefined();
  });
});

describe('files to a hosted room (issue 17, XEP-0066 in groupchat)', () => {
  it('a groupchat message carries one <x xmlns="jabber:x:oob"> per link', () => {
    const el = groupchatMessage(
      'dev@muc/carol',
      'juliet@example.com/a',
      { body: URL1, oob: [URL1] },
      {
        id: 'i1',
        roomJid: 'dev@muc',
      },
    ).toString();
    expect(el).toContain(`<body>${URL1}</body>`);
    expect(el).toContain(`<x xmlns="jabber:x:oob"><url>${URL1}</url></x>`);
  });
});
