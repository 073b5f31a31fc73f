/**
 * In-memory endpoints and origins for router tests: endpoints record what they receive and
 * answer what the test says; routers can be linked to each other as peer gateways. The
 * operations and answers they carry are built and read with router-ops.ts.
 */
import type { HubPort } from '../../src/adapter.js';
import { createHubPort } from '../../src/adapter-host.js';
import { buildPidf } from '../../src/codec/pidf/index.js';
import { parsePattern } from '../../src/model/index.js';
import type { Answer, Strength } from '../../src/protocol/index.js';
import type { Endpoint, Operation, Origin } from '../../src/router/index.js';
import type { Router } from '../../src/router/index.js';
import { OK } from './router-ops.js';

export type Responder = (op: Operation) => Answer | Promise<Answer>;

export class FakeEndpoint implements Endpoint {
  readonly received: Operation[] = [];
  respond: Responder;

  constructor(
    readonly id: string,
    respond: Responder = () => OK,
    readonly domain?: string,
  ) {
    this.respond = respond;
  }

  deliver(op: Operation): Promise<Answer> {
    this.received.push(op);
    return Promise.resolve(this.respond(op));
  }

  methods(): string[] {
    return this.received.map((o) => o.method);
  }

  of(method: string): Operation[] {
    return this.received.filter((o) => o.method === method);
  }

  last(method?: string): Operation | undefined {
    const list = method === undefined ? this.received : this.of(method);
    return list[list.length - 1];
  }

  clear(): void {
    this.received.length = 0;
  }
}

/** A promise resolved from outside. */
export class Deferred<T> {
  resolve!: (v: T) => void;
  readonly promise = new Promise<T>((r) => (this.resolve = r));
}

let nextConn = 1;

export interface ClientOptions {
  strength?: Strength;
  accept?: readonly string[];
  connectionId?: string;
}

/** A TCP client that authenticated as `identities` (patterns), with its listening endpoint. */
export function client(
  identities: string[] | undefined,
  endpoint: Endpoint = new FakeEndpoint(`client-${nextConn}`),
  o: ClientOptions = {},
): Origin {
  const base = {
    kind: 'client' as const,
    connectionId: o.connectionId ?? `conn-${nextConn++}`,
    strength: o.strength ?? 'strong',
    endpoint,
    ...(o.accept === undefined ? {} : { accept: o.accept }),
  };
  return identities === undefined ? base : { ...base, identities: identities.map((p) => parsePattern(p)) };
}

export function peer(
  peerDomain: string,
  endpoint: Endpoint = new FakeEndpoint(`peer-${peerDomain}`),
  strength: Strength = 'strong',
): Origin {
  return { kind: 'peer', connectionId: `peer-conn-${nextConn++}`, peerDomain, strength, endpoint };
}

export function adapter(endpoint: Endpoint, strength: Strength = 'strong'): Origin {
  return { kind: 'adapter', connectionId: `adapter-${endpoint.id}`, strength, endpoint };
}

/**
 * An endpoint through which `from` reaches `to` as a peer: `to` sees a peer that authenticated
 * as `asDomain`. Operations are recorded in `received`.
 */
export class PeerLink extends FakeEndpoint {
  constructor(
    id: string,
    private readonly to: () => Router,
    private readonly asDomain: string,
    private readonly back: () => Endpoint,
    domain?: string,
  ) {
    super(id, () => OK, domain);
  }

  override deliver(o: Operation): Promise<Answer> {
    this.received.push(o);
    return this.to().handle(o, {
      kind: 'peer',
      connectionId: `${this.id}-in`,
      peerDomain: this.asDomain,
      strength: 'strong',
      endpoint: this.back(),
    });
  }
}

/**
 * An adapter serving `domain` with `presence: 'publish'`, registered with `router`, and the
 * HubPort it would get from the adapter host (createHubPort): publishes go through the same
 * checks as a hosted adapter's.
 */
export function publishingAdapter(router: Router, domain: string): HubPort {
  const endpoint = new FakeEndpoint(`adapter:${domain}`);
  router.registerDomain(domain, endpoint, { presence: 'publish' });
  return createHubPort(router, {
    kind: 'adapter',
    connectionId: `adapter:${domain}`,
    strength: 'strong',
    endpoint,
  });
}

/** A one-tuple PIDF document (RFC 3863) saying `basic` for `entity`, as an adapter publishes it. */
export const basicPidf = (entity: string, basic: 'open' | 'closed'): Uint8Array =>
  new TextEncoder().encode(buildPidf({ entity, tuples: [{ id: 't', basic, notes: [] }] }));
