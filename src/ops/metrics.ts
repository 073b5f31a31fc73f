/**
 * The core's figures on `/metrics` (docs/operations.md lists every metric): the hub listeners,
 * the router, the adapters and federation. Each is a plain integer kept where the event happens
 * (src/hub/stats.ts, src/router/stats.ts, the adapter host, the peer links) and read here only
 * when Prometheus scrapes, in the metric's `collect`: the message path never builds a label set
 * or calls into prom-client (issue 14).
 */
import { Counter, Gauge, type LabelValues, type Registry } from 'prom-client';
import type { HostedAdapter } from '../adapter-host.js';
import type { Federation } from '../federation/federation.js';
import type { HubServer } from '../hub/server.js';
import type { Protocol, Tally } from '../protocol/index.js';
import { ROUTE_KINDS, type Router } from '../router/index.js';
import { histogramMetric } from './histogram-metric.js';

/** Where the figures come from; functions, so a part replaced on reload is read afresh. */
export interface MetricSources {
  readonly hubs: () => readonly { readonly protocol: Protocol; readonly server: HubServer }[];
  readonly router: () => Router;
  readonly adapters: () => readonly HostedAdapter[];
  readonly federation: () => Federation;
}

type Sample<L extends string> = readonly [LabelValues<L>, number];

/** A counter whose value is read from an integer source when scraped. */
function counterFrom<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
  read: () => Iterable<Sample<L>>,
): void {
  new Counter<L>({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of read()) this.inc(labels, value);
    },
  });
}

/** A gauge set from a source when scraped. */
function gaugeFrom<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
  read: () => Iterable<Sample<L>>,
): void {
  new Gauge<L>({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of read()) this.set(labels, value);
    },
  });
}

function* tallied<K extends string>(
  tally: Tally,
  key: K,
  fixed: Record<string, string>,
): Generator<Sample<string>> {
  for (const [label, n] of tally.entries()) yield [{ ...fixed, [key]: label }, n];
}

const LINK_STATES = ['idle', 'connecting', 'up', 'down', 'stopped'] as const;

function registerHub(registry: Registry, s: MetricSources): void {
  gaugeFrom(
    registry,
    'cpim_hub_connections',
    'Open hub connections, by protocol and state (authenticating or authenticated)',
    ['protocol', 'state'],
    function* () {
      for (const { protocol, server } of s.hubs()) {
        let authenticated = 0;
        for (const c of server.connections) if (c.identity !== null) authenticated++;
        yield [{ protocol, state: 'authenticated' }, authenticated];
        yield [{ protocol, state: 'authenticating' }, server.connections.size - authenticated];
      }
    },
  );
  counterFrom(
    registry,
    'cpim_hub_commands_total',
    'Commands received on the hub listeners, by protocol and method (unknown methods: other)',
    ['protocol', 'method'],
    function* () {
      for (const { protocol, server } of s.hubs())
        yield* tallied(server.stats.commands, 'method', { protocol });
    },
  );
  counterFrom(
    registry,
    'cpim_hub_answers_total',
    'Answers sent on the hub listeners, by protocol and answer (ok, unreliable or the Error-Type)',
    ['protocol', 'answer'],
    function* () {
      for (const { protocol, server } of s.hubs())
        yield* tallied(server.stats.answers, 'answer', { protocol });
    },
  );
  gaugeFrom(
    registry,
    'cpim_hub_buffered_output_bytes',
    'Octets written to hub connections and not yet taken by the peer, by protocol',
    ['protocol'],
    function* () {
      for (const { protocol, server } of s.hubs()) {
        let bytes = 0;
        for (const c of server.connections) bytes += c.bufferedOutput;
        yield [{ protocol }, bytes];
      }
    },
  );
}

function registerRouter(registry: Registry, s: MetricSources): void {
  counterFrom(
    registry,
    'cpim_router_sends_total',
    'IMTP sends delivered to a next hop, by route (local, adapter, remote, room) and answer',
    ['route', 'answer'],
    function* () {
      const stats = s.router().stats;
      for (const route of ROUTE_KINDS) yield* tallied(stats.routes[route].answers, 'answer', { route });
    },
  );
  counterFrom(
    registry,
    'cpim_router_stored_total',
    'Of the ok answers counted in cpim_router_sends_total, those kept rather than delivered (Stored: offline, history or queued), by route and kind',
    ['route', 'kind'],
    function* () {
      const stats = s.router().stats;
      for (const route of ROUTE_KINDS) yield* tallied(stats.routes[route].stored, 'kind', { route });
    },
  );
  counterFrom(
    registry,
    'cpim_router_refused_total',
    'IMTP sends the router refused before any next hop (checks, rate, no route), by Error-Type',
    ['answer'],
    () => tallied(s.router().stats.refused, 'answer', {}),
  );
  histogramMetric(
    registry,
    'cpim_router_delivery_seconds',
    'Time from handing a send to its next hop to its answer, by route (rooms: the whole fan-out)',
    'route',
    () => ROUTE_KINDS.map((route) => [route, s.router().stats.routes[route].latency] as const),
  );
  gaugeFrom(
    registry,
    'cpim_router_background_deliveries',
    'Notifies and other background deliveries in flight (a queue depth)',
    [],
    () => [[{}, s.router().backgroundDeliveries]],
  );
  gaugeFrom(registry, 'cpim_router_presence_stores', 'Presence stores held', [], () => [
    [{}, s.router().storeCount],
  ]);
  counterFrom(
    registry,
    'cpim_rate_limited_total',
    'Refusals by a rate or connection limit, by limit and listener',
    ['limit', 'listener'],
    function* () {
      yield [{ limit: 'perSender', listener: 'router' }, s.router().rateLimited];
      for (const { protocol, server } of s.hubs()) {
        yield [{ limit: 'connectionsPerAddress', listener: protocol }, server.refused.perAddress];
        yield [{ limit: 'maxConnections', listener: protocol }, server.refused.maxConnections];
      }
    },
  );
}

function registerAdapters(registry: Registry, s: MetricSources): void {
  gaugeFrom(
    registry,
    'cpim_adapter_up',
    'Adapters of this gateway: 1 when online, with the current status',
    ['adapter', 'type', 'status'],
    () =>
      s
        .adapters()
        .map((a) => [{ adapter: a.id, type: a.type, status: a.status }, a.status === 'online' ? 1 : 0]),
  );
  gaugeFrom(
    registry,
    'cpim_adapter_connections',
    'Open connections of each adapter (web users, IRC links)',
    ['adapter', 'type'],
    function* () {
      for (const a of s.adapters()) {
        const n = a.adapter.stats?.().connections;
        if (n !== undefined) yield [{ adapter: a.id, type: a.type }, n];
      }
    },
  );
  gaugeFrom(
    registry,
    'cpim_adapter_queued',
    'Lines or messages waiting in an adapter output queue (the IRC pacing queue)',
    ['adapter', 'type'],
    function* () {
      for (const a of s.adapters()) {
        const n = a.adapter.stats?.().queued;
        if (n !== undefined) yield [{ adapter: a.id, type: a.type }, n];
      }
    },
  );
  counterFrom(
    registry,
    'cpim_adapter_messages_total',
    'IMTP sends through each adapter: in = from its users to the gateway, out = delivered to it',
    ['adapter', 'type', 'direction'],
    function* () {
      for (const a of s.adapters()) {
        yield [{ adapter: a.id, type: a.type, direction: 'in' }, a.received];
        yield [{ adapter: a.id, type: a.type, direction: 'out' }, a.delivered];
      }
    },
  );
}

function registerFederation(registry: Registry, s: MetricSources): void {
  gaugeFrom(
    registry,
    'cpim_federation_link_state',
    'Links to static peers: 1 for the current state (idle, connecting, up, down, stopped)',
    ['peer', 'protocol', 'state'],
    function* () {
      for (const p of s.federation().links()) {
        if (p.kind !== 'static') continue;
        for (const protocol of ['imtp', 'pitp'] as const)
          for (const state of LINK_STATES)
            yield [{ peer: p.peer, protocol, state }, p[protocol].state === state ? 1 : 0];
      }
    },
  );
  gaugeFrom(
    registry,
    'cpim_federation_link_failures',
    'Connection attempts to a static peer failed since the last success',
    ['peer', 'protocol'],
    function* () {
      for (const p of s.federation().links())
        if (p.kind === 'static')
          for (const protocol of ['imtp', 'pitp'] as const)
            yield [{ peer: p.peer, protocol }, p[protocol].failures];
    },
  );
  gaugeFrom(
    registry,
    'cpim_federation_discovered_links',
    'Links to peers found through DNS, by protocol and state',
    ['protocol', 'state'],
    function* () {
      const counts = new Map<string, number>();
      for (const p of s.federation().links())
        if (p.kind === 'dns')
          for (const protocol of ['imtp', 'pitp'] as const) {
            const key = `${protocol} ${p[protocol].state}`;
            counts.set(key, (counts.get(key) ?? 0) + 1);
          }
      for (const [key, n] of counts) {
        const [protocol, state] = key.split(' ') as [string, string];
        yield [{ protocol, state }, n];
      }
    },
  );
}

/** Registers the core's metrics in the gateway's registry (once per gateway). */
export function registerGatewayMetrics(registry: Registry, sources: MetricSources): void {
  registerHub(registry, sources);
  registerRouter(registry, sources);
  registerAdapters(registry, sources);
  registerFederation(registry, sources);
}
