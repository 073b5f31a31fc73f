/**
 * The ngircd configuration the tests and the benchmarks run (docs/testing.md: penalties and
 * per-IP limits off, no DNS, ident or PAM lookups), bound to 127.0.0.1 on the given ports.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface NgircdConfigOptions {
  /** A folder ngircd (which drops to `nobody` when started as root) may write its PID file in. */
  readonly dir: string;
  readonly ports: readonly number[];
  readonly info: string;
  /** ISUPPORT NICKLEN ([Limits] MaxNickLength); ngircd's default is 9. CASEMAPPING is always ascii in ngircd 26. */
  readonly nickLength?: number;
  /** Extra lines, such as an [SSL] section. */
  readonly extra?: readonly string[];
}

/** Writes `ngircd.conf` into `dir` and returns its path. */
export async function writeNgircdConfig(o: NgircdConfigOptions): Promise<string> {
  const conf = join(o.dir, 'ngircd.conf');
  await writeFile(
    conf,
    [
      '[Global]',
      'Name = irc.test',
      `Info = ${o.info}`,
      'Listen = 127.0.0.1',
      `Ports = ${o.ports.join(', ')}`,
      `PidFile = ${join(o.dir, 'ngircd.pid')}`,
      'MotdPhrase = test',
      `IncludeDir = ${o.dir}`,
      '[Limits]',
      'MaxPenaltyTime = 0',
      ...(o.nickLength === undefined ? [] : [`MaxNickLength = ${o.nickLength}`]),
      'MaxConnectionsIP = 0',
      'PingTimeout = 120',
      '[Options]',
      'DNS = no',
      'Ident = no',
      'PAM = no',
      ...(o.extra ?? []),
      '',
    ].join('\n'),
  );
  return conf;
}
