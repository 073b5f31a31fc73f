/**
 * What a configuration reload changes (docs/operations-reload.md): the old and the new
 * configuration compared section by section. Pure: no I/O, no gateway; src/reload/apply.ts
 * carries the plan out.
 *
 * Three kinds of keys:
 * - changed in place, nobody disconnected: `log`, `identity`, `hub.accounts`, `hub.sasl`,
 *   `hub.limits`, `rooms`, `peers`, `limits` (but `limits.warnIntervalMs`);
 * - an adapter whose own entry changed is restarted alone (its users reconnect to it), added
 *   and removed adapters start and stop;
 * - keys that name what the running process is bound to (its domains, its listeners' addresses
 *   and TLS, federation's discovery and link settings, the admin socket, the warn interval its
 *   throttles were made with) cannot change while it runs: such a reload is refused as a whole,
 *   one problem per key, and nothing changes.
 */
import type { GatewayConfig } from '../config/schema.js';

export interface ReloadProblem {
  readonly path: string;
  readonly message: string;
}

export interface ReloadPlan {
  /** Keys that cannot change while the gateway runs; non-empty = the reload is refused. */
  readonly refused: readonly ReloadProblem[];
  readonly logLevel: boolean;
  readonly identity: boolean;
  readonly accounts: boolean;
  readonly sasl: boolean;
  readonly hubLimits: boolean;
  readonly rooms: boolean;
  readonly peers: boolean;
  readonly perSender: boolean;
  readonly authFailures: boolean;
  /** limits.connectionsPerAddress or limits.maxIdlePresentities. */
  readonly otherLimits: boolean;
  /** By adapter id (`id`, else `type`): each gets a fresh instance or goes away. */
  readonly adapters: { readonly added: string[]; readonly removed: string[]; readonly changed: string[] };
  /** Nothing differs. */
  readonly empty: boolean;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The keys refused when they differ, each with the reason given to the operator. */
const FIXED: readonly { path: string; pick: (c: GatewayConfig) => unknown; why: string }[] = [
  { path: 'gateway.domains', pick: (c) => c.gateway.domains, why: 'the domains this gateway is home for' },
  { path: 'gateway.visitedToken', pick: (c) => c.gateway.visitedToken, why: 'the Visited token' },
  { path: 'hub.imtp', pick: (c) => c.hub.imtp, why: 'the IMTP listener (address, TLS)' },
  { path: 'hub.pitp', pick: (c) => c.hub.pitp, why: 'the PITP listener (address, TLS)' },
  { path: 'federation', pick: (c) => c.federation, why: 'federation discovery and link settings' },
  { path: 'limits.warnIntervalMs', pick: (c) => c.limits.warnIntervalMs, why: 'the warn interval' },
  { path: 'admin', pick: (c) => (c as { admin?: unknown }).admin, why: 'the admin socket' },
];

/**
 * Sections this file knows, at each level. A key added to the schema later (another part's
 * section) is refused when it changes until someone teaches the reload to apply it: a reload
 * never silently ignores an edit.
 */
const KNOWN: readonly { at: string; pick: (c: GatewayConfig) => object; keys: readonly string[] }[] = [
  {
    at: '',
    pick: (c) => c,
    keys: [
      'gateway',
      'log',
      'identity',
      'hub',
      'rooms',
      'peers',
      'federation',
      'adapters',
      'limits',
      'admin',
    ],
  },
  { at: 'hub.', pick: (c) => c.hub, keys: ['imtp', 'pitp', 'sasl', 'accounts', 'limits'] },
  {
    at: 'limits.',
    pick: (c) => c.limits,
    keys: ['perSender', 'maxIdlePresentities', 'warnIntervalMs', 'connectionsPerAddress', 'authFailures'],
  },
];

function unknownChanges(old: GatewayConfig, next: GatewayConfig): ReloadProblem[] {
  const out: ReloadProblem[] = [];
  for (const k of KNOWN) {
    const a = k.pick(old) as Record<string, unknown>;
    const b = k.pick(next) as Record<string, unknown>;
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)]))
      if (!k.keys.includes(key) && !same(a[key], b[key]))
        out.push({
          path: k.at + key,
          message: 'this section cannot change while the gateway runs: restart it, or put the old value back',
        });
  }
  return out;
}

export function adapterId(entry: { readonly type: string; readonly id?: string | undefined }): string {
  return entry.id ?? entry.type;
}

export function planReload(old: GatewayConfig, next: GatewayConfig): ReloadPlan {
  const refused: ReloadProblem[] = [];
  for (const f of FIXED)
    if (!same(f.pick(old), f.pick(next)))
      refused.push({
        path: f.path,
        message: `${f.why} cannot change while the gateway runs: restart it, or put the old value back`,
      });
  refused.push(...unknownChanges(old, next));

  const before = new Map(old.adapters.map((a) => [adapterId(a), a] as const));
  const after = new Map(next.adapters.map((a) => [adapterId(a), a] as const));
  const adapters = {
    added: [...after.keys()].filter((id) => !before.has(id)),
    removed: [...before.keys()].filter((id) => !after.has(id)),
    changed: [...after.keys()].filter((id) => before.has(id) && !same(before.get(id), after.get(id))),
  };
  const ol = old.limits;
  const nl = next.limits;
  const plan = {
    refused,
    logLevel: old.log.level !== next.log.level,
    identity: !same(old.identity, next.identity),
    accounts: !same(old.hub.accounts, next.hub.accounts),
    sasl: !same(old.hub.sasl, next.hub.sasl),
    hubLimits: !same(old.hub.limits, next.hub.limits),
    rooms: !same(old.rooms, next.rooms),
    peers: !same(old.peers, next.peers),
    perSender: !same(ol.perSender, nl.perSender),
    authFailures: !same(ol.authFailures, nl.authFailures),
    otherLimits:
      ol.connectionsPerAddress !== nl.connectionsPerAddress ||
      ol.maxIdlePresentities !== nl.maxIdlePresentities,
    adapters,
  };
  const empty = same(old, next);
  return { ...plan, empty };
}
