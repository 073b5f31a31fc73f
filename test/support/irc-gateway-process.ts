/**
 * A gateway with the IRC adapter as a child process (`cpim-gateway start --config FILE`), for
 * the tests that kill it with SIGKILL and start it again on the same store (issue 15, "Kill
 * tests"). Its hub listens on free loopback ports with the account carol; its IRC adapter is
 * the one of test/support/irc.ts (`ircAdapterConfig`) with the extra keys the test gives.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectHub, type HubClient } from '../../src/hub/client.js';
import { stoppable, type StoppableChild } from './child.js';
import { DEV_ROOM, ircAdapterConfig } from './irc.js';
import { freePorts, untilListening } from './net.js';

const BIN = new URL('../../bin/cpim-gateway.js', import.meta.url).pathname;

export interface IrcGatewayProcess extends StoppableChild {
  readonly imtp: number;
  /** carol, logged in with PLAIN. */
  client(): Promise<HubClient>;
  output(): string;
}

/**
 * Starts the binary with its store at `dir`/gw.sqlite (a temporary folder the test owns, so that
 * a second start finds what the first kept) and waits until the hub listens.
 */
export async function spawnIrcGateway(
  dir: string,
  ircPort: number,
  irc: Record<string, unknown>,
): Promise<IrcGatewayProcess> {
  const [imtp, pitp] = await freePorts(2);
  const config = {
    gateway: { domains: ['gw.test'] },
    log: { level: 'info' },
    hub: {
      imtp: { host: '127.0.0.1', port: imtp },
      pitp: { host: '127.0.0.1', port: pitp },
      sasl: { mechanisms: ['PLAIN'], allowPlainWithoutTls: true },
      accounts: [
        { user: 'carol', password: 'carol', identities: ['im:carol@gw.test', 'pres:carol@gw.test'] },
      ],
    },
    adapters: [ircAdapterConfig(ircPort, { channels: [{ name: '#dev', room: DEV_ROOM.address }], ...irc })],
    rooms: [DEV_ROOM],
    ops: { host: '127.0.0.1', port: 0 },
    files: { listen: { host: '127.0.0.1', port: 0 } },
    storage: { backend: 'sqlite', path: join(dir, 'gw.sqlite') },
  };
  const file = join(dir, 'gateway.yaml');
  writeFileSync(file, JSON.stringify(config, null, 2));
  const child = spawn(process.execPath, [BIN, 'start', '--config', file], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const proc = stoppable(child);
  const clients: HubClient[] = [];
  try {
    await untilListening([imtp!], 'the gateway', () => !proc.alive(), 20_000);
  } catch (err) {
    await proc.stop('SIGKILL');
    throw new Error(`${(err as Error).message}\n${out}`);
  }
  return {
    pid: proc.pid,
    alive: proc.alive,
    imtp: imtp!,
    output: () => out,
    async client() {
      const c = await connectHub({
        host: '127.0.0.1',
        port: imtp!,
        protocol: 'imtp',
        sasl: { mechanism: 'PLAIN', user: 'carol', password: 'carol' },
      });
      clients.push(c);
      return c;
    },
    async stop(signal, graceMs) {
      for (const c of clients.splice(0)) await c.close().catch(() => undefined);
      await proc.stop(signal, graceMs ?? 5000);
    },
  };
}
