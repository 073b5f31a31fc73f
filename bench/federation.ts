/**
 * Federation: a sender on gateway A (a.test) to a listener on gateway B (b.test), the two
 * gateways linked by A's static `peers:` entry over TCP with TLS (PLAIN inside TLS, B verifies
 * nothing more than the password; A verifies B's certificate against a throwaway CA from
 * test/support/certs.ts). B's listener is TLS too, so the listening client connects with TLS.
 * Each gateway runs in its own process. Baseline in the same run: one gateway (A alone, plain
 * TCP, same frame size, same plan): the ratio is what the second hop and TLS cost.
 */
import { makeTestCerts } from '../test/support/certs.js';
import { gatewayConfig } from './lib/configs.js';
import { perProcess } from './lib/per-process.js';
import { startGatewayProcess, type GatewayProcess } from './lib/procs.js';
import { framesNeeded, measureRelay, type RelayEnds, type RelayFigures } from './lib/relay-run.js';
import { pending, type BenchContext, type Benchmark, type Entry } from './lib/report.js';
import { rawConnect, sendFrames } from './lib/wire.js';
import { relayEntries, relayPlan } from './relay.js';

async function exists(path: string): Promise<boolean> {
  try {
    await import(path);
    return true;
  } catch {
    return false;
  }
}

export const federation: Benchmark = {
  name: 'federation',
  description: 'two gateways linked over TCP + TLS: sender on A → B → listener on B',
  async run(ctx: BenchContext): Promise<Entry[]> {
    if (!(await exists('../src/federation/federation.js')))
      return [pending('federation', 'src/federation does not exist yet')];
    const plan = relayPlan(ctx.quick);
    const certs = await makeTestCerts();
    const gateways: GatewayProcess[] = [];
    const stopAll = () => Promise.all(gateways.splice(0).map((g) => g.stop()));
    try {
      // Baseline: A alone, alice@a.test → bob@a.test (the same frame size as a.test → b.test).
      ctx.progress('federation: one gateway (baseline)');
      const single = await startGatewayProcess(gatewayConfig('a.test'));
      gateways.push(single);
      let baseline: RelayFigures;
      const singleSide = perProcess([{ name: 'gateway', gw: single }]);
      {
        const frames = sendFrames(framesNeeded(plan), 'im:alice@a.test', 'im:bob@a.test');
        const listener = await rawConnect({ ...single.imtp, user: 'bob', listen: 'im:bob@a.test' });
        const sender = await rawConnect({ ...single.imtp, user: 'alice' });
        const ends: RelayEnds = {
          senders: [sender],
          listener,
          relayCpu: () => singleSide.relayCpu(),
          close: () => [sender, listener].forEach((s) => s.destroy()),
        };
        baseline = await measureRelay(ends, frames, plan);
        ends.close();
      }
      await stopAll();

      // BENCH_FED_PLAIN=1: the same pair without TLS anywhere (a diagnosis: what TLS costs);
      // the entries then say so in their names.
      const plain = process.env.BENCH_FED_PLAIN === '1';
      ctx.progress(`federation: A → B over ${plain ? 'plain TCP (BENCH_FED_PLAIN)' : 'TLS'}`);
      const b = await startGatewayProcess(
        gatewayConfig('b.test', {
          ...(plain
            ? {}
            : { tls: { cert: certs.server.certPath, key: certs.server.keyPath, ca: certs.ca.certPath } }),
          peerAccounts: [{ user: 'gw-a', password: 'secret-a', peerDomain: 'a.test' }],
        }),
      );
      gateways.push(b);
      const a = await startGatewayProcess(
        gatewayConfig('a.test', {
          peers: [
            {
              domains: ['b.test'],
              host: '127.0.0.1',
              ports: { imtp: b.imtp.port, pitp: b.pitp.port },
              ...(plain ? {} : { tls: { ca: certs.ca.certPath } }),
              sasl: { mechanism: 'PLAIN', user: 'gw-a', password: 'secret-a' },
            },
          ],
        }),
      );
      gateways.push(a);
      const frames = sendFrames(framesNeeded(plan), 'im:alice@a.test', 'im:bob@b.test');
      const listener = await rawConnect({
        ...b.imtp,
        ...(plain ? {} : { tls: { ca: certs.ca.cert } }),
        user: 'bob',
        listen: 'im:bob@b.test',
      });
      const sender = await rawConnect({ ...a.imtp, user: 'alice' });
      const sides = perProcess([
        { name: 'gateway A', gw: a },
        { name: 'gateway B', gw: b },
      ]);
      const ends: RelayEnds = {
        senders: [sender],
        listener,
        relayCpu: () => sides.relayCpu(),
        close: () => [sender, listener].forEach((s) => s.destroy()),
      };
      const measured = await measureRelay(ends, frames, plan);
      ends.close();
      const entries = relayEntries(
        plain ? 'A → B (plain TCP link, BENCH_FED_PLAIN)' : 'A → B (TLS link)',
        measured,
        'one gateway, plain TCP, same run',
        baseline,
        'ratio ≥ 0.6 (issue 18)',
      );
      // Which side bounds the pair, and its writes per message (bench/README.md, federation).
      const relayed = plan.throughputFrames * plan.rounds;
      entries[0] = {
        ...entries[0]!,
        notes: `${sides.summary(relayed)}; baseline ${singleSide.summary(relayed)}; ${entries[0]!.notes ?? ''}`,
      };
      return entries;
    } finally {
      await stopAll();
      await certs.cleanup();
    }
  },
};
