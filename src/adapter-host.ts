/**
 * Runs adapters inside the gateway: builds each one's context and HubPort, registers its
 * domains with the router, and starts and stops it (docs/architecture.md part 5). The HubPort is the
 * router's `handle` with an `adapter` origin, so an adapter's operations pass the same source
 * checks (draft §8.1: an adapter speaks only for its own domains) as any other.
 */
import type {
  Adapter,
  AdapterContext,
  AdapterDefinition,
  AdapterHealth,
  AdapterListenerLimits,
  AdapterStatus,
  HubPort,
} from './adapter.js';
import { ListenError } from './errors.js';
import { tryParseAddress } from './model/index.js';
import { component, type Logger } from './log.js';
import type { Endpoint, Operation, Origin, Router } from './router/index.js';
import { type Answer, type Header, getHeader } from './protocol/index.js';

export interface HostedAdapter {
  readonly id: string;
  readonly type: string;
  readonly adapter: Adapter;
  status: AdapterStatus;
  cause?: string;
  /** IMTP sends the adapter handed to the router (its users' messages), since start. */
  received: number;
  /** IMTP sends the router handed to the adapter, since start. */
  delivered: number;
}

const PIDF = 'application/pidf+xml';

function isMappingRange(a: Answer): boolean {
  return a.status === 'error' && getHeader(a.headers, 'Error-Type') === 'mapping-range';
}

/** The HubPort of one adapter. */
export function createHubPort(router: Router, origin: Origin): HubPort {
  const port: HubPort = {
    request: (op: Operation) => router.handle(op, origin),
    inboxExists: (inbox: string) => {
      const a = tryParseAddress(inbox);
      return a instanceof Error || a.scheme !== 'im' ? false : router.inboxExists(a);
    },
    servedDomains: () => router.servedDomains(),
    send: (m) => {
      const headers: Header[] = [
        ['Sender', m.sender],
        ['Inbox', m.inbox],
      ];
      if (m.contentType !== undefined) headers.push(['Content-Type', m.contentType]);
      if (m.headers) headers.push(...m.headers);
      return router.handle({ protocol: 'imtp', method: 'send', headers, payload: m.payload }, origin);
    },
    // A presentity the adapter publishes gets one mapping, "*" → its PI: the foreign network
    // has no per-watcher policy to mirror, so everyone who may ask sees the same document
    // (draft §5: the first matching mapping wins; §15.7 insert-mapping, §15.1 change). The
    // router's store is the only record of what was published (no set of our own that would
    // grow with every user ever seen, issue 12): change first, create on `mapping-range`.
    // `null` withdraws (§15.3 delete-mapping): the router then drops the empty store. An adapter
    // whose network decides who may watch (`asksWatchers`) names the watchers instead of "*";
    // it keeps that class current itself with `set-class` (§15.13).
    publishPresence: async (
      presentity: string,
      pidf: Uint8Array | null,
      watchers?: readonly string[],
    ): Promise<Answer> => {
      const base: Header[] = [
        ['Presentity', presentity],
        ['Mapping', '1'],
      ];
      if (pidf === null) {
        const gone = await router.handle(
          { protocol: 'pitp', method: 'delete-mapping', headers: base },
          origin,
        );
        return isMappingRange(gone) ? { status: 'ok', headers: [] } : gone;
      }
      const withType: Header[] = [...base, ['Content-Type', PIDF]];
      const changed = await router.handle(
        { protocol: 'pitp', method: 'change', headers: withType, payload: pidf },
        origin,
      );
      if (!isMappingRange(changed)) return changed;
      return router.handle(
        {
          protocol: 'pitp',
          method: 'insert-mapping',
          headers: [...withType, ...(watchers ?? ['*']).map((w): Header => ['Wpattern', w])],
          payload: pidf,
        },
        origin,
      );
    },
  };
  return port;
}

export class AdapterHost {
  private readonly hosted: HostedAdapter[] = [];
  /** Each hosted adapter's registrations with the router, undone when it stops. */
  private readonly unregister = new Map<HostedAdapter, (() => void)[]>();
  private readonly abort = new AbortController();

  constructor(
    private readonly router: Router,
    private readonly log: Logger,
    /** The gateway's `limits` for adapters' own listeners (issue 13). */
    private listenerLimits?: AdapterListenerLimits,
    /**
     * Authentication attempts and the gateway's metrics, shared with the hub (issue 13 defect 5);
     * the durable store (issue 15).
     */
    private readonly shared: Pick<
      AdapterContext,
      'authAttempts' | 'metrics' | 'storage' | 'storageConfig' | 'files'
    > = {},
  ) {}

  get adapters(): readonly HostedAdapter[] {
    return this.hosted;
  }

  /** Every adapter's state, as `/health` and `/ready` show it. */
  health(): AdapterHealth[] {
    return this.hosted.map((h) => ({
      id: h.id,
      type: h.type,
      status: h.status,
      ...(h.cause === undefined ? {} : { cause: h.cause }),
    }));
  }

  /** Creates an adapter (no I/O yet) and registers its domains with the router. */
  add<C>(definition: AdapterDefinition<C>, id: string, config: C): HostedAdapter {
    const log = component(this.log, 'adapter', { adapter: id, type: definition.type });
    const entry: { adapter?: Adapter } = {};
    // The endpoint the router delivers through; the adapter exists by the time it is called.
    // Messages in and out are counted here, as plain integers (docs/operations.md).
    const endpoint: Endpoint = {
      id: `adapter:${id}`,
      deliver: (op) => {
        if (op.method === 'send') hosted.delivered++;
        return entry.adapter!.deliver(op);
      },
    };
    const origin: Origin = { kind: 'adapter', connectionId: `adapter:${id}`, strength: 'strong', endpoint };
    const hosted: { -readonly [K in keyof HostedAdapter]: HostedAdapter[K] } = {
      id,
      type: definition.type,
      adapter: undefined as unknown as Adapter,
      status: 'offline',
      received: 0,
      delivered: 0,
    };
    const port = createHubPort(this.router, origin);
    const ctx: AdapterContext = {
      id,
      log,
      signal: this.abort.signal,
      hub: {
        ...port,
        request: (op) => {
          if (op.method === 'send') hosted.received++;
          return port.request(op);
        },
        send: (m) => {
          hosted.received++;
          return port.send(m);
        },
      },
      ...(this.listenerLimits === undefined ? {} : { limits: this.listenerLimits }),
      ...this.shared,
      setStatus: (status, cause) => {
        if (status !== hosted.status) log.info({ status, cause: cause?.message }, 'adapter status');
        hosted.status = status;
        if (cause) hosted.cause = cause.message;
        else delete hosted.cause;
      },
      health: () => this.health(),
    };
    const adapter = definition.create(config, ctx);
    entry.adapter = adapter;
    hosted.adapter = adapter;
    const offs: (() => void)[] = [];
    try {
      for (const domain of adapter.domains)
        offs.push(this.router.registerDomain(domain, endpoint, adapter.capabilities));
    } catch (err) {
      for (const off of offs) off();
      throw err;
    }
    this.unregister.set(hosted, offs);
    this.hosted.push(hosted);
    return hosted;
  }

  /**
   * A reload (docs/operations-reload.md): the limits adapters created from now on get; running
   * adapters keep theirs until they are restarted.
   */
  setListenerLimits(limits: AdapterListenerLimits): void {
    this.listenerLimits = limits;
  }

  /** Offers a changed section to a running adapter; true when it applied it in place. */
  reconfigure(id: string, section: unknown): boolean {
    const hosted = this.hosted.find((h) => h.id === id);
    return hosted?.adapter.reconfigure?.(section) ?? false;
  }

  /** Starts one adapter added after the host started (a reload); `at` is its configuration index. */
  async startOne(hosted: HostedAdapter, at: number): Promise<void> {
    hosted.status = 'connecting';
    try {
      await hosted.adapter.start();
    } catch (err) {
      throw err instanceof ListenError ? err.under(`adapters[${at}]`) : err;
    }
  }

  /**
   * Stops one adapter and forgets it (a reload removed or changed its section): its users are
   * disconnected, its domains leave the router; every other adapter keeps running.
   */
  async remove(id: string, deadlineMs: number): Promise<void> {
    const hosted = this.hosted.find((h) => h.id === id);
    if (hosted === undefined) return;
    try {
      await hosted.adapter.stop(deadlineMs);
    } catch (err) {
      this.log.warn({ err, adapter: id }, 'adapter did not stop cleanly');
    }
    for (const off of this.unregister.get(hosted) ?? []) off();
    this.unregister.delete(hosted);
    // Its listens and subscriptions end with it, as a hub connection's do when it closes: a
    // restarted adapter starts clean under the same endpoint id.
    this.router.connectionClosed(`adapter:${id}`);
    this.hosted.splice(this.hosted.indexOf(hosted), 1);
  }

  /**
   * Starts the adapters in configuration order. When one fails, the caller stops the host (which
   * stops every adapter, the failed one too: stop is idempotent and closes what it opened); a
   * listen failure gets the adapter's place in the configuration, `adapters[i].`, in its key.
   */
  async start(): Promise<void> {
    for (const [i, h] of this.hosted.entries()) {
      h.status = 'connecting';
      try {
        await h.adapter.start();
      } catch (err) {
        throw err instanceof ListenError ? err.under(`adapters[${i}]`) : err;
      }
    }
  }

  async stop(deadlineMs: number): Promise<void> {
    this.abort.abort();
    await Promise.all(
      this.hosted.map((h) =>
        h.adapter
          .stop(deadlineMs)
          .catch((err: unknown) => this.log.warn({ err, adapter: h.id }, 'adapter did not stop cleanly')),
      ),
    );
    for (const offs of this.unregister.values()) for (const off of offs) off();
    this.unregister.clear();
  }
}
