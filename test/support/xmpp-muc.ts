/**
 * A room hosted by the component (XEP-0045) for the tests against a real Prosody
 * (xmpp-muc.test.ts, xmpp-muc-files.test.ts): the gateway room `im:dev@gw.test` with a hub client
 * (carol) and the XMPP bridge as members, its room JID, and joining it.
 */
import type { Element } from '@xmpp/component';
import { received, xml, type XmppUser } from './xmpp.js';

/** The room's JID. */
export const ROOM = 'dev@xmpp-gw.localhost';
export const MUC_USER = 'http://jabber.org/protocol/muc#user';

/** The gateway's configuration: `im:dev@gw.test` bridged to the hosted room `dev`. */
export const roomsConfig = {
  config: {
    rooms: [
      {
        name: 'dev',
        address: 'im:dev@gw.test',
        members: ['im:carol@gw.test', 'im:dev@xmpp-gw.localhost'],
      },
    ],
  },
  xmpp: {
    rooms: [
      { name: 'dev', address: 'im:dev@gw.test', members: ['im:carol@gw.test'], subject: 'Development' },
    ],
  },
};

/** A self-presence (status 110). */
export const isSelf = (s: Element) =>
  s.is('presence') &&
  s
    .getChild('x', MUC_USER)
    ?.getChildren('status')
    .some((c) => c.attrs.code === '110') === true;

/** Joins the room as `nick`; resolves with the self-presence (status 110). */
export async function join(u: XmppUser, nick: string, history?: Record<string, string>): Promise<Element> {
  await u.client.send(
    xml(
      'presence',
      { to: `${ROOM}/${nick}` },
      xml('x', { xmlns: 'http://jabber.org/protocol/muc' }, history ? xml('history', history) : undefined),
    ),
  );
  return received(u, (s) => isSelf(s) && s.attrs.type === undefined, `${nick}'s self-presence`);
}
