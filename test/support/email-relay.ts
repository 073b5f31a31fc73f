/**
 * The outbound-mail tests' set-up (email-outbound.test.ts, email-relations.test.ts): Dave's
 * mailbox as a hub address, a gateway mailing through an SMTP relay, and alice signed in.
 */
import type { CommandFrame } from '../../src/hub/frame/index.js';
import { MAIL, type EmailGateway, type startEmailGateway } from './email-gateway.js';

/** dave@elsewhere.test as the gateway's address for him. */
export const DAVE_URI = `im:%22mailto=dave%40elsewhere.test%22@${MAIL}`;

/** `startGateway`: the file's `useEmailGateways()`, so that each gateway stops after its test. */
export function relayHelpers(startGateway: typeof startEmailGateway) {
  /** A gateway whose outbound mail goes to the SMTP server on `port`. */
  async function relayGateway(
    port: number,
    rest: { dns?: Record<string, string[]>; rooms?: unknown[]; email?: Record<string, unknown> } = {},
  ) {
    return startGateway(
      { outbound: { transport: 'smtp', host: '127.0.0.1', port, timeoutMs: 5000 }, ...rest.email },
      { ...(rest.dns ? { dns: rest.dns } : {}), ...(rest.rooms ? { rooms: rest.rooms } : {}) },
    );
  }
  /** alice on the hub, listening; what reaches her is pushed to `got`. */
  async function alice(eg: EmailGateway, got: CommandFrame[] = []) {
    const c = await eg.gw.client('alice', 'imtp', (cmd) => {
      got.push(cmd);
      return { status: 'ok', headers: [] };
    });
    await c.command('listen', [['Inbox', 'im:alice@gw.test']]);
    return c;
  }
  return { relayGateway, alice };
}
