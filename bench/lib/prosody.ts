/**
 * Debian's Prosody for the XMPP benchmark: the tests' launcher and configuration
 * (test/support/prosody.ts: a temp folder, free loopback ports, accounts registered before the
 * start, one `Component` entry, no TLS, stopped by its PID), as bench/lib/ngircd.ts does for ngircd.
 */
import { startProsody as start, type Prosody } from '../../test/support/prosody.js';

export { PROSODY, prosodyInstalled } from '../../test/support/prosody.js';

export type ProsodyProcess = Prosody;

/** The benchmark's users on the VirtualHost `localhost` (password = name + "pass"). */
export const BENCH_XMPP_USERS = ['juliet', 'romeo'] as const;

export function startProsody(componentSecret: string): Promise<ProsodyProcess> {
  return start({
    domain: 'localhost',
    componentDomain: 'xmpp-gw.localhost',
    componentSecret,
    accounts: Object.fromEntries(BENCH_XMPP_USERS.map((u) => [u, `${u}pass`])),
  });
}
