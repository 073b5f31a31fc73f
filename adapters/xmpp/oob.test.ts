import { describe, expect, it } from 'vitest';
import { buildCpim, buildMixed, HubError } from '../../src/index.js';
import type { XmppAddressing } from './addresses.js';
import { cpimToXmppMessage } from './message-map.js';
import { messageStanza } from './payload.js';

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
