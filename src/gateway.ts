/**
 * createGateway(config) → { start, stop }: the whole gateway as an object, with no argv and no
 * process.exit, so tests can run several in one process (docs/architecture.md part 3). It builds the
 * router from the configuration, hosts the adapters, and (once started) serves the hub
 * listeners.
 */
import type { AdapterDefinition } from './adapter.js';
import { AdapterHost, type HostedAdapter } from './adapter-host.js';
import type { GatewayConfig } from './config/schema.js';
import { Federation } from './federation/federation.js';
import type { DnsLookup } from './federation/srv.js';
import { createHubServer, type HubServer } from './hub/server.js';
import { hubRouterApplication, listenableBy, offlineBy } from './hub-router.js';
import { component, type Logger } from './log.js';
import { AuthGuard } from './auth-guard.js';
import { GatewayMetrics } from './metrics.js';
import { AuthFailureTracker } from './policy/index.js';
import { applyReload, roomConfigs, routerLimits, type ReloadResult } from './reload/apply.js';
import { Router } from './router/index.js';
import type { Protocol } from './protocol/index.js';
import { registerGatewayMetrics } from './ops/metrics.js';
import { createOps } from './ops/ops.js';
import type { GatewayState, Readiness } from './ops/ready.js';
import { openStore, startRetention, type Retention, type Store } from './store/index.js';
import { FilesService } from './files/service.js';

export interface GatewayOptions {
  readonly log: Logger;
  /** Adapter types this gateway can run (src/main.ts passes adapters/index.ts). */
  readonly adapterDefinitions?: readonly AdapterDefinition<never>[];
  /** DNS questions for federation discovery; default node:dns over `federation.dns.servers`. */
  readonly dnsLookup?: DnsLookup;
}

export interface Gateway {
  readonly config: GatewayConfig;
  readonly router: Router;
  /** Routes to peer gateways (static `peers:`, DNS SRV) and their links. */
  readonly federation: Federation;
  readonly adapters: readonly HostedAdapter[];
  /** The gateway's one Prometheus registry: what /metrics on the ops port serves (docs/operations.md). */
  readonly metrics: GatewayMetrics;
  /**
   * The durable store (issue 15, docs/storage.md), open from the start on (before the adapters
   * and listeners) until the stop's last step; null before, and when `storage.backend` is `none`.
   */
  readonly store: Store | null;
  /**
   * Where the hub listeners and the operations endpoint listen, once started (port 0 in the
   * configuration picks a free one).
   */
  readonly addresses: {
    imtp?: ListenAddress;
    pitp?: ListenAddress;
    ops?: ListenAddress;
    files?: ListenAddress;
  };
  /** The file store and its HTTP server (issue 17, docs/files.md); its `port()` is null when off. */
  readonly files: FilesService;
  /** What `/ready` on the operations endpoint answers (docs/operations.md). */
  ready(): Readiness;
  start(): Promise<void>;
  /**
   * Applies a new configuration to the running gateway without dropping anyone who need not be
   * dropped (docs/operations-reload.md, src/reload/). Never rejects: what was refused or failed
   * is in the result, each problem with its path. Reloads run one at a time, in call order.
   */
  reload(next: GatewayConfig): Promise<ReloadResult>;
  /** Idempotent; waits for parts to close, at most `deadlineMs`. */
  stop(deadlineMs?: number): Promise<void>;
}

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** A started part of the gateway, stopped in reverse order of starting. */
interface Part {
  readonly name: string;
  start(): Promise<void>;
  stop(deadlineMs: number): Promise<void>;
}

export function createGateway(config: GatewayConfig, options: GatewayOptions): Gateway {
  const log = component(options.log, 'gateway');
  const federation = new Federation({
    config,
    log: options.log,
    ...(options.dnsLookup ? { lookup: options.dnsLookup } : {}),
  });
  const router = new Router({
    domains: config.gateway.domains,
    ...(config.gateway.visitedToken ? { visitedToken: config.gateway.visitedToken } : {}),
    limits: routerLimits(config),
    rooms: roomConfigs(config),
    routes: federation.route,
    minStrength: federation.minStrength,
    senderRate: {
      messagesPerSecond: config.limits.perSender.messagesPerSecond,
      burst: config.limits.perSender.burst,
      maxSenders: config.limits.perSender.maxSenders,
      warnIntervalMs: config.limits.warnIntervalMs,
    },
    warnIntervalMs: config.limits.warnIntervalMs,
    listenable: listenableBy(config.hub.accounts),
    storage: config.storage,
    keepsOffline: offlineBy(config.hub.accounts),
    mismatchedFrom: config.identity.mismatchedFrom,
    log: component(options.log, 'router'),
  });

  // One tracker for every listener (hub IMTP and PITP, the adapters' web sign-in and SMTP AUTH):
  // a guesser cannot multiply its attempts by switching port or protocol (issue 13 defect 5).
  const metrics = new GatewayMetrics();
  const auth = new AuthGuard(
    new AuthFailureTracker(config.limits.authFailures),
    metrics,
    component(options.log, 'auth'),
    config.limits.warnIntervalMs,
  );
  let store: Store | null = null;
  // Issue 17: the file store, open between the durable store and the adapters (docs/files.md).
  const files = new FilesService({
    config,
    log: options.log,
    store: () => store,
    registry: metrics.registry,
  });
  const host = new AdapterHost(
    router,
    options.log,
    {
      connectionsPerAddress: config.limits.connectionsPerAddress,
      warnIntervalMs: config.limits.warnIntervalMs,
    },
    {
      authAttempts: (listener) => auth.forListener(listener),
      metrics: metrics.registry,
      storage: () => store,
      storageConfig: config.storage,
      files: () => files.port(),
    },
  );
  const definitions = new Map((options.adapterDefinitions ?? []).map((d) => [d.type, d] as const));
  for (const entry of config.adapters) {
    const definition = definitions.get(entry.type);
    if (!definition) throw new Error(`unknown adapter type "${entry.type}"`);
    host.add(definition, entry.id ?? entry.type, definition.parseConfig(entry));
  }

  const addresses: {
    imtp?: ListenAddress;
    pitp?: ListenAddress;
    ops?: ListenAddress;
    files?: ListenAddress;
  } = {};
  const hubs: { protocol: Protocol; server: HubServer }[] = [];
  const application = hubRouterApplication({ router, accounts: config.hub.accounts, log });
  let retention: Retention | undefined;
  const parts: Part[] = [
    // Issue 15: the store opens first (after ops), so the router, the adapters and the
    // listeners find it from their start on, and closes last, after everything that writes to
    // it stopped. A store that cannot open (damaged, locked, newer) stops the start here.
    {
      name: 'store',
      start: async () => {
        store = await openStore(config.storage, {
          log: component(options.log, 'store'),
          warnIntervalMs: config.limits.warnIntervalMs,
        });
        router.setStore(store);
        if (store !== null) retention = startRetention(store, config.storage.history, log);
        // Presence kept from the last run, before adapters publish and listeners open
        // (docs/hub-protocol.md part 4 row 35).
        if (store !== null) log.info(await router.restorePresence(store), 'presence restored');
      },
      stop: async () => {
        retention?.stop();
        await retention?.running;
        const open = store;
        router.setStore(null);
        store = null;
        await open?.close();
      },
    },
    {
      name: 'files',
      start: async () => {
        await files.start();
        if (files.address !== undefined) addresses.files = files.address;
      },
      stop: () => files.stop(),
    },
    { name: 'adapters', start: () => host.start(), stop: (deadline) => host.stop(deadline) },
    // Before the listeners, so peers' commands never meet a federation that cannot answer them.
    {
      name: 'federation',
      start: async () => {
        await federation.start();
        // Issue 15: watchers restored from the store hear the presence they see now.
        router.renotifyRestored();
      },
      stop: (deadline) => federation.stop(deadline),
    },
  ];
  for (const protocol of ['imtp', 'pitp'] as const) {
    if (!config.hub[protocol].enabled) continue;
    const server: HubServer = createHubServer({
      protocol,
      config: config.hub,
      application,
      log: options.log,
      authAttempts: auth.forListener(protocol),
      warnIntervalMs: config.limits.warnIntervalMs,
      connectionsPerAddress: config.limits.connectionsPerAddress,
    });
    hubs.push({ protocol, server });
    parts.push({
      name: `hub.${protocol}`,
      start: async () => {
        addresses[protocol] = await server.start();
      },
      stop: (deadline) => server.stop(deadline),
    });
  }
  const started: Part[] = [];
  let state: GatewayState = 'new';

  // Issue 14: health, readiness and metrics in the core (docs/operations.md). The ops part
  // starts first, so /health answers while adapters connect, and stops last.
  registerGatewayMetrics(metrics.registry, {
    hubs: () => hubs,
    router: () => router,
    adapters: () => host.adapters,
    federation: () => federation,
  });
  const ops = createOps({
    config,
    log: options.log,
    metrics,
    state: () => state,
    listeners: () => [
      ...hubs.map((h) => ({ name: `hub.${h.protocol}`, listening: h.server.listening })),
      ...(files.enabled ? [{ name: 'files', listening: files.listening }] : []),
    ],
    adapters: () => host.health(),
    federation,
  });
  if (config.ops.enabled)
    parts.unshift({
      name: 'ops',
      start: async () => {
        await ops.start();
        addresses.ops = ops.address;
      },
      stop: () => ops.stop(),
    });

  /** Stops what started, in reverse order; every part's stop is idempotent. */
  async function stopParts(deadlineMs: number): Promise<void> {
    state = 'stopping';
    for (const part of started.reverse()) {
      await part
        .stop(deadlineMs)
        .catch((err: unknown) => log.warn({ err, part: part.name }, 'part did not stop cleanly'));
    }
    started.length = 0;
    state = 'stopped';
  }

  let current = config;
  let reloads: Promise<unknown> = Promise.resolve();
  const reloadTargets = {
    rootLog: options.log,
    log,
    router,
    federation,
    host,
    application,
    servers: hubs.map((h) => h.server),
    auth,
    definitions,
  };

  async function reloadNow(next: GatewayConfig): Promise<ReloadResult> {
    if (state !== 'running')
      return {
        ok: false,
        problems: [{ path: '', message: `the gateway is ${state}` }],
        changes: [],
        config: current,
      };
    let result: ReloadResult;
    try {
      result = await applyReload(reloadTargets, current, next, 5000);
    } catch (err) {
      // A bug, not a bad edit: said as a problem, so the caller is answered all the same.
      log.error({ err }, 'reload failed');
      result = {
        ok: false,
        problems: [{ path: '', message: (err as Error).message }],
        changes: [],
        config: current,
      };
    }
    current = result.config;
    for (const p of result.problems) log.warn({ path: p.path, reason: p.message }, 'reload: problem');
    if (result.ok) log.info({ changes: result.changes }, 'configuration reloaded');
    else
      log.warn({ changes: result.changes, problems: result.problems.length }, 'reload refused or incomplete');
    return result;
  }

  return {
    get config() {
      return current;
    },
    router,
    federation,
    adapters: host.adapters,
    metrics,
    files,
    get store() {
      return store;
    },
    addresses,
    ready: () => ops.ready(),
    async start() {
      if (state !== 'new') throw new Error(`gateway cannot start: it is ${state}`);
      state = 'starting';
      for (const part of parts) {
        // A part that fails may have opened something (the adapters before the one that
        // failed, say): it is stopped with the others, so a failed start leaves nothing open.
        started.push(part);
        try {
          await part.start();
        } catch (err) {
          await stopParts(2000);
          throw err;
        }
        log.debug({ part: part.name }, 'part started');
      }
      state = 'running';
    },
    reload(next: GatewayConfig) {
      const result = reloads.then(() => reloadNow(next));
      reloads = result;
      return result;
    },
    async stop(deadlineMs = 5000) {
      if (state === 'stopped' || state === 'stopping') return;
      state = 'stopping'; // A reload asked for from now on is refused.
      // A reload in progress (restarting an adapter, say) finishes first, so nothing it starts
      // outlives the stop; at most `deadlineMs`, then the stop goes on regardless.
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, deadlineMs)));
      await Promise.race([reloads.then(() => undefined), deadline]);
      clearTimeout(timer);
      await stopParts(deadlineMs);
    },
  };
}
