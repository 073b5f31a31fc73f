/**
 * Debian's ngircd for the IRC benchmarks: the tests' launcher and configuration
 * (test/support/ngircd.ts), on a free loopback port plus any extra fixed ports asked for.
 */
import { startNgircd as start, type Ngircd } from '../../test/support/ngircd.js';

export { NGIRCD, ngircdInstalled } from '../../test/support/ngircd.js';
export { canConnect, freePort } from '../../test/support/net.js';

export type NgircdProcess = Ngircd;

export function startNgircd(extraPorts: readonly number[] = []): Promise<NgircdProcess> {
  return start({ extraPorts, info: 'CPIM gateway benchmark network' });
}
