/**
 * Files (issue 17) in a room hosted by the component (XEP-0045) against a real Prosody: an
 * occupant's upload (XEP-0363 URL with XEP-0066) reaches the hub as a link part; a hub client's
 * linked file, and a file inside its message kept by the gateway's file store, reach the
 * occupants as body = URL + XEP-0066.
 */
import { describe, expect, it } from 'vitest';
import { buildCpim, buildMixed, parseCpim, renderContent } from '../../../src/index.js';
import { PNG_1X1 } from '../../support/files.js';
import { listenAs, sendText } from '../../support/hub-calls.js';
import { waitFor } from '../../support/net.js';
import { prosodyInstalled } from '../../support/prosody.js';
import { received, useProsody, xml } from '../../support/xmpp.js';
import { join, ROOM, roomsConfig } from '../../support/xmpp-muc.js';

const NS_OOB = 'jabber:x:oob';

/** Carol (a hub client) posts a Message/CPIM whose content is the MIME entity `entity` to the room. */
function postToRoom(
  carol: Parameters<typeof sendText>[0],
  entity: { readonly contentType: string; readonly body: Uint8Array | string },
): ReturnType<typeof sendText> {
  const cpim = buildCpim({
    startsWith: 'cpim-headers',
    from: { uri: 'im:carol@gw.test' },
    to: [{ uri: 'im:dev@gw.test' }],
    dateTime: new Date(),
    contentHeaders: [['Content-Type', entity.contentType]],
    body: entity.body,
  });
  return sendText(carol, 'im:carol@gw.test', 'im:dev@gw.test', cpim, [['Content-Type', 'message/cpim']]);
}

describe.skipIf(!prosodyInstalled() && process.env['CI'] !== 'true')(
  'XMPP hosted rooms (real Prosody): files (issue 17)',
  () => {
    const xmpp = useProsody();

    it("files (issue 17): an occupant's upload reaches the hub as a link part; a hub client's linked file reaches occupants as body = URL + XEP-0066", async () => {
      const gw = await xmpp.gateway(roomsConfig);
      const got = await listenAs(gw, 'carol');
      const juliet = await xmpp.user('juliet');
      await join(juliet, 'Juliet');
      // XEP-0363 §1: the client uploaded to its server, then sends the GET URL as body and OOB URL.
      const UP = 'https://upload.localhost/AbC/cat%20photo.jpg';
      await juliet.client.send(
        xml(
          'message',
          { to: ROOM, type: 'groupchat', id: 'f1' },
          xml('body', {}, UP),
          xml('x', { xmlns: NS_OOB }, xml('url', {}, UP)),
        ),
      );
      const cmd = await waitFor(() => got[0], 5000, 'the file at carol');
      const p = parseCpim(cmd.payload ?? new Uint8Array(), {
        startsWith: 'cpim-headers',
        mode: 'strict',
        role: 'endpoint',
      });
      if (p.result === 'reject') throw new Error(p.reason);
      const type = p.message.contentHeaders.find((x) => /^content-type$/i.test(x.name))!.value;
      expect(type).toMatch(/^multipart\/mixed;/);
      const r = await renderContent(type, undefined, p.message.body, {});
      expect(r.attachments.map((a) => [a.url, a.filename])).toEqual([[UP, 'cat photo.jpg']]);
      // The other occupants' clients get it as the sender wrote it (the echo keeps its link).
      const echo = await received(juliet, (s) => s.is('message') && s.attrs.id === 'f1', 'the echo');
      expect(echo.getChild('x', NS_OOB)?.getChildText('url')).toBe(UP);

      // A hub client's file kept by a file store: a message/external-body link part.
      const URL1 = 'https://files.gw.test/f/AbCdEfGhIjKlMnOpQrStUvWx/report.pdf';
      const mixed = buildMixed(
        '',
        [],
        [{ url: URL1, contentType: 'application/pdf', filename: 'report.pdf', size: 2048 }],
        'b',
      );
      const carol = await gw.client('carol');
      const sent = await postToRoom(carol, mixed);
      expect(sent.status).toBe('ok');
      const m = await received(
        juliet,
        (s) => s.is('message') && s.attrs.from === `${ROOM}/carol` && s.getChild('x', NS_OOB) !== undefined,
        'the file in the room',
      );
      expect(m.attrs.type).toBe('groupchat');
      expect(m.getChildText('body')).toBe(URL1);
      expect(m.getChild('x', NS_OOB)!.getChildText('url')).toBe(URL1);

      // A file inside a hub client's message: kept by the gateway's file store, it reaches the
      // room as its link line and XEP-0066 URL, and the link serves the same bytes.
      const inside = buildMixed(
        'a cat',
        [{ contentType: 'image/png', filename: 'cat.png', content: PNG_1X1 }],
        [],
        'c',
      );
      const posted = await postToRoom(carol, inside);
      expect(posted.status).toBe('ok');
      const cat = await received(
        juliet,
        (s) =>
          s.is('message') &&
          s.attrs.from === `${ROOM}/carol` &&
          (s.getChildText('body') ?? '').startsWith('a cat'),
        'the inline file in the room',
      );
      const link = cat.getChild('x', NS_OOB)?.getChildText('url') ?? '';
      expect(cat.getChildText('body')).toBe(`a cat\ncat.png (image/png, ${PNG_1X1.length} B): ${link}`);
      expect(Buffer.from(await (await fetch(link)).arrayBuffer())).toEqual(PNG_1X1);
    });
  },
);
