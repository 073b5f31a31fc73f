/**
 * The deadlines of issue 18 in a real gateway (deadlines.ts): a signed token's expiry closes its
 * open tab with 4002, a tab that signs in in time is not closed by the sign-in deadline, and one
 * that never signs in is (4001).
 */
import { describe, expect, it } from 'vitest';
import { SECRET, TOKENS, connect, signIn, useWebGateways } from '../../test/support/websocket.js';
import { mintToken } from './index.js';

describe('web sessions on shared deadlines', () => {
  const startWeb = useWebGateways();

  it('closes a tab when its signed token expires, and only the tab that did not sign in', async () => {
    const tokens = Object.entries(TOKENS).map(([user, token]) => ({ user, token }));
    const web = await startWeb({ auth: { tokens, hmacSecret: SECRET, timeoutMs: 400 } });
    const quiet = await connect(web.ws);
    const staying = await signIn(web.ws, TOKENS.alice);
    const expiring = await signIn(web.ws, await mintToken(SECRET, 'erin', 1));
    expect(await quiet.closed).toEqual({ code: 4001, reason: 'authentication timeout' });
    expect(await expiring.closed).toEqual({ code: 4002, reason: 'the token has expired' });
    // Signed in with a configured token: no deadline left, still open and answering.
    expect(await staying.request({ type: 'join', room: 'lobby' })).toMatchObject({ type: 'result' });
  });
});
