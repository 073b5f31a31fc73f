/**
 * A Prometheus histogram read from LatencyHistogram objects (src/policy/latency-histogram.ts)
 * when scraped. prom-client's own Histogram hashes its labels on every `observe`; ours counts in
 * plain integers on the message path and is turned into the exposition form (cumulative `le`
 * buckets, `_sum`, `_count`; Prometheus exposition format, "Histograms") only here.
 */
import type { Metric, Registry } from 'prom-client';
import type { LatencyHistogram } from '../policy/index.js';

interface Value {
  readonly metricName: string;
  readonly labels: Record<string, string | number>;
  readonly value: number;
}

export function histogramMetric(
  registry: Registry,
  name: string,
  help: string,
  labelName: string,
  read: () => Iterable<readonly [string, LatencyHistogram]>,
): void {
  const metric = {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    // Registry.resetMetrics calls this; the counts belong to the router, which never resets.
    reset(): void {},
    get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Value[] }> {
      const values: Value[] = [];
      for (const [label, h] of read()) {
        for (const b of h.cumulative())
          values.push({
            metricName: `${name}_bucket`,
            labels: { [labelName]: label, le: b.le === Infinity ? '+Inf' : b.le },
            value: b.count,
          });
        values.push({ metricName: `${name}_sum`, labels: { [labelName]: label }, value: h.sumSeconds });
        values.push({ metricName: `${name}_count`, labels: { [labelName]: label }, value: h.count });
      }
      return Promise.resolve({ name, help, type: 'histogram', aggregator: 'sum', values });
    },
  };
  registry.registerMetric(metric as unknown as Metric);
}
