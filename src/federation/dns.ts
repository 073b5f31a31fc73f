/**
 * The DNS side of discovery (draft §6.3, RFC 3861 §4): a `DnsLookup` over node:dns's Resolver,
 * pointed at configured servers (`federation.dns.servers`, e.g. a test's stub on loopback) or the
 * system's, with a small cache. "No such name" and "no data" are answers (empty); timeouts and
 * refused queries are failures the caller turns into `communications` (temporary).
 */
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { DnsLookup, SrvRecord } from './srv.js';

export interface DnsOptions {
  readonly servers: readonly string[];
  readonly timeoutMs: number;
  /** 0 = no cache. */
  readonly cacheSeconds: number;
  /** Most cached names (oldest dropped first). */
  readonly maxEntries?: number;
}

const NOTHING = new Set(['ENODATA', 'ENOTFOUND', 'NXDOMAIN', 'ENONAME', 'EBADNAME']);

function isNothing(e: unknown): boolean {
  return NOTHING.has((e as { code?: string }).code ?? '');
}

async function orNothing<T>(p: Promise<T>, empty: T): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (isNothing(e)) return empty;
    throw e;
  }
}

/** A tiny TTL cache of promises; failures are not kept. */
class Cache {
  private readonly entries = new Map<string, { until: number; value: Promise<unknown> }>();
  constructor(
    private readonly ttlMs: number,
    private readonly max: number,
  ) {}

  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    if (this.ttlMs === 0) return load();
    const hit = this.entries.get(key);
    if (hit !== undefined && hit.until > Date.now()) return hit.value as Promise<T>;
    const value = load();
    this.entries.delete(key);
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { until: Date.now() + this.ttlMs, value });
    value.catch(() => this.entries.delete(key));
    return value;
  }
}

/** A DnsLookup backed by node:dns, asking `servers` (host[:port]) when given. */
export function nodeDnsLookup(options: DnsOptions): DnsLookup {
  const resolver = new Resolver({ timeout: options.timeoutMs, tries: 2 });
  if (options.servers.length > 0) resolver.setServers([...options.servers]);
  const cache = new Cache(options.cacheSeconds * 1000, options.maxEntries ?? 1024);
  return {
    srv: (name) =>
      cache.get<readonly SrvRecord[]>(`SRV ${name}`, () => orNothing(resolver.resolveSrv(name), [])),
    cname: (name) =>
      cache.get(`CNAME ${name}`, async () => {
        const names = await orNothing(resolver.resolveCname(name), [] as string[]);
        return names[0] ?? null;
      }),
    addresses: (name) =>
      cache.get<readonly string[]>(`ADDR ${name}`, async () => {
        if (isIP(name) !== 0) return [name];
        const v4 = await orNothing(resolver.resolve4(name), [] as string[]);
        return v4.length > 0 ? v4 : await orNothing(resolver.resolve6(name), [] as string[]);
      }),
  };
}
