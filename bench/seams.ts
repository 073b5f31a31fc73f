/**
 * Benchmarks that wait for adapters still being written. Each is a module in the registry of
 * bench/run.ts already, reporting "pending" until it can measure:
 * - websocket: resident memory per idle WebSocket connection (design.md part 11: `ws` alone
 *   costs about 7.6 KB), once adapters/websocket serves connections;
 * - irc: lines/s and p99 at 1k lines/s through adapters/irc against ngircd (target 30k lines/s,
 *   p99 < 1 ms), once adapters/irc is in.
 * To add one: write bench/<name>.ts exporting a `Benchmark` and put it here or in REGISTRY.
 */
import { pending, type Benchmark } from './lib/report.js';

export const seams: readonly Benchmark[] = [
  {
    name: 'websocket',
    description: 'idle WebSocket connections: resident memory per connection',
    run: () =>
      Promise.resolve([
        pending('idle WebSocket connections', 'adapters/websocket is being written; this module is its seam'),
      ]),
  },
  {
    name: 'irc',
    description: 'IRC path through ngircd: lines/s and latency',
    run: () =>
      Promise.resolve([pending('IRC path', 'adapters/irc is being written; this module is its seam')]),
  },
];
