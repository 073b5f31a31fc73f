/**
 * One gateway room whose members are the IRC channel `#dev` (a `useIrcServer` ngircd) and the web
 * room `dev` (the WebSocket adapter), for bridge-web-irc.test.ts and
 * bridge-web-irc-upload.test.ts.
 */
import { websocketAdapter, type WebSocketAdapter } from '../../adapters/websocket/index.js';
import type { AdapterDefinition } from '../../src/adapter.js';
import type { IrcSuite } from './irc.js';
import { TOKENS } from './websocket.js';

/** The token a web user named in `startWebIrcRoom`'s `users` signs in with. */
export const tokenOf = (user: string) => `${user}-token-0123456789`;

/** `users`: more web users, each signing in with the token `<user>-token-0123456789`. */
export async function startWebIrcRoom(
  irc: IrcSuite,
  o: { irc?: Record<string, unknown>; users?: readonly string[] } = {},
) {
  const gw = await irc.gateway({
    adapterDefinitions: [websocketAdapter as AdapterDefinition<never>],
    rooms: [
      { name: 'dev', address: 'im:dev@gw.test', members: ['im:%23dev@irc.test', 'im:room.dev@web.test'] },
    ],
    ...(o.irc ? { irc: o.irc } : {}),
    // bridge-web-irc.test.ts's burst test aims at IRC's pace, not at the router's per-sender rate
    // (the room's bridge inbox is the one Sender of every web post).
    config: { limits: { perSender: { messagesPerSecond: 1000, burst: 1000 } } },
    adapters: [
      {
        type: 'websocket',
        domain: 'web.test',
        http: { port: 0 },
        auth: {
          tokens: [
            { user: 'alice', token: TOKENS.alice },
            { user: 'bob', token: TOKENS.bob },
            ...(o.users ?? []).map((user) => ({ user, token: tokenOf(user) })),
          ],
        },
        deliveryTimeoutMs: 2000,
        // Issue 17: a limit the upload test (bridge-web-irc-upload.test.ts) passes with a small file.
        uploads: { maxBytes: 512 * 1024 },
        rooms: [{ name: 'dev', address: 'im:dev@gw.test', title: 'Dev (IRC #dev)' }],
      },
    ],
  });
  const web = gw.gateway.adapters.find((a) => a.type === 'websocket')!.adapter as WebSocketAdapter;
  const at = web.address!;
  return { gw, http: `http://${at.host}:${at.port}` };
}
