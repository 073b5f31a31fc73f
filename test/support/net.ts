/**
 * Loopback helpers shared by the test fixtures and the benchmarks: free ports (tests bind
 * 127.0.0.1 on free ports, never fixed ones), a connect probe for "is it listening yet", and a
 * polling wait with a deadline.
 */
import { createServer, connect, type AddressInfo, type Server } from 'node:net';

/** Free loopback ports, all held open at once so that they differ. */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<Server>((resolve, reject) => {
          const s = createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port!;
}

/** Whether a TCP connection to `host:port` is accepted now. */
export function canConnect(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, host);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` every 10 ms until it gives a value other than undefined or false. */
export async function waitFor<T>(
  probe: () => T | undefined | false,
  timeoutMs = 5000,
  what = 'condition',
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Waits until every port accepts connections; throws when `gaveUp()` or the deadline says stop. */
export async function untilListening(
  ports: readonly number[],
  what: string,
  gaveUp: () => boolean = () => false,
  timeoutMs = 5000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (const p of ports)
    while (!(await canConnect(p))) {
      if (Date.now() > until || gaveUp()) throw new Error(`${what} did not listen on port ${p}`);
      await sleep(20);
    }
}
