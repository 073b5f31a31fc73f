/**
 * Carries out a configuration reload on a running gateway (docs/operations-reload.md), in three
 * steps, so a bad edit changes nothing:
 *
 * 1. plan.ts compares the two configurations; a key that cannot change while running refuses
 *    the whole reload.
 * 2. Everything that can fail is tried without effect: the hub listeners' TLS files are read
 *    again (a renewed certificate), the rooms table is built, new peers' TLS files are read, new
 *    adapter sections are parsed. Any problem refuses the reload.
 * 3. The changes are applied: the listeners' certificates, log level, router (rooms, limits, rate, who may listen, identity
 *    policy), hub listeners (accounts, SASL, limits for new connections), authentication backoff,
 *    peers (unchanged links kept, removed ones closed gracefully), then adapters: a removed or
 *    changed one is stopped alone, a changed or added one started alone. An adapter that fails
 *    to start is the one problem step 2 cannot foresee (a port in use): it is reported, the
 *    rest of the reload stands, and that adapter stays stopped until the next reload.
 *
 * Connections: a hub connection whose account was removed is closed (warn line, with its
 * remote address); one whose password changed stays (it authenticated with what was valid
 * then); one whose identities changed acts with the new ones from its next command.
 */
import type { AdapterDefinition } from '../adapter.js';
import type { AdapterHost } from '../adapter-host.js';
import type { AuthGuard } from '../auth-guard.js';
import type { GatewayConfig } from '../config/schema.js';
import type { Federation } from '../federation/federation.js';
import type { HubServer } from '../hub/server.js';
import { listenableBy, offlineBy, type HubRouterApplication } from '../hub-router.js';
import type { Logger } from '../log.js';
import { parseImUri } from '../model/index.js';
import { AuthFailureTracker, payloadLimits } from '../policy/index.js';
import { buildRooms, type RouterReload, type Router, type RoomConfig } from '../router/index.js';
import { adapterId, planReload, type ReloadProblem } from './plan.js';

export interface ReloadResult {
  /** True when everything asked for is in place. */
  readonly ok: boolean;
  /** Why the reload was refused (nothing changed), or what failed while applying it. */
  readonly problems: readonly ReloadProblem[];
  /** What changed, in words, for the log and `cpim-gateway reload`. */
  readonly changes: readonly string[];
  /**
   * The configuration now in force: the old one when refused, else the new one without the
   * entries of adapters that failed to start (so the next reload tries them again).
   */
  readonly config: GatewayConfig;
}

/** The running parts a reload reaches into (src/gateway.ts hands them over). */
export interface ReloadTargets {
  /** The root logger: its level is every component's (pino children inherit it). */
  readonly rootLog: Logger;
  readonly log: Logger;
  readonly router: Router;
  readonly federation: Federation;
  readonly host: AdapterHost;
  readonly application: HubRouterApplication;
  readonly servers: readonly HubServer[];
  readonly auth: AuthGuard;
  readonly definitions: ReadonlyMap<string, AdapterDefinition<never>>;
}

/** The router's view of `rooms:` (shared with src/gateway.ts). */
export function roomConfigs(config: GatewayConfig): RoomConfig[] {
  return config.rooms.map((r) => ({
    name: r.name,
    address: parseImUri(r.address),
    members: r.members.map((m) => parseImUri(m)),
    open: r.open,
  }));
}

/** The router's limits from `hub.limits` and `limits` (shared with src/gateway.ts). */
export function routerLimits(config: GatewayConfig) {
  return {
    ...payloadLimits(config.hub.limits),
    maxListensPerConnection: config.hub.limits.maxListensPerConnection,
    maxSubscriptionsPerConnection: config.hub.limits.maxSubscriptionsPerConnection,
    maxIdlePresentities: config.limits.maxIdlePresentities,
    maxPeerSubscriptions: config.limits.peers.maxSubscriptions,
    maxPeerSubscriptionsPerPresentity: config.limits.peers.maxSubscriptionsPerPresentity,
    peerSubscriptionsLingerMs: config.limits.peers.dropSubscriptionsAfterMs,
    maxWatcherInfoListed: config.limits.maxWatcherInfoListed,
  };
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export async function applyReload(
  t: ReloadTargets,
  old: GatewayConfig,
  next: GatewayConfig,
  deadlineMs: number,
): Promise<ReloadResult> {
  const plan = planReload(old, next);
  if (plan.refused.length > 0) return { ok: false, problems: plan.refused, changes: [], config: old };

  // Step 2: everything that can fail, without effect. TLS files are read again even when the
  // configuration is the same: a renewed certificate under the same path is the common case.
  const problems: ReloadProblem[] = [];
  const tlsCommits: { protocol: string; commit: () => boolean }[] = [];
  for (const server of t.servers) {
    try {
      const commit = await server.prepareTls();
      if (commit !== null) tlsCommits.push({ protocol: server.protocol, commit });
    } catch (err) {
      problems.push({ path: `hub.${server.protocol}.tls`, message: message(err) });
    }
  }
  if (plan.empty && problems.length === 0) {
    const changes = tlsCommits.filter((c) => c.commit()).map((c) => `hub.${c.protocol}.tls (files re-read)`);
    return { ok: true, problems: [], changes, config: old };
  }
  if (plan.rooms) {
    try {
      buildRooms(next.gateway.domains, roomConfigs(next));
    } catch (err) {
      problems.push({ path: 'rooms', message: message(err) });
    }
  }
  let commitPeers: ((deadlineMs: number) => Promise<string[]>) | undefined;
  if (plan.peers) {
    try {
      commitPeers = await t.federation.preparePeers(next);
    } catch (err) {
      problems.push({ path: 'peers', message: message(err) });
    }
  }
  const starting = new Set([...plan.adapters.added, ...plan.adapters.changed]);
  const sections = new Map<string, { at: number; definition: AdapterDefinition<never>; config: never }>();
  next.adapters.forEach((entry, at) => {
    const id = adapterId(entry);
    if (!starting.has(id)) return;
    const definition = t.definitions.get(entry.type);
    try {
      if (definition === undefined) throw new Error(`unknown adapter type "${entry.type}"`);
      sections.set(id, { at, definition, config: definition.parseConfig(entry) });
    } catch (err) {
      problems.push({ path: `adapters[${at}]`, message: message(err) });
    }
  });
  if (problems.length > 0) return { ok: false, problems, changes: [], config: old };

  // Step 3: apply.
  const changes: string[] = [];
  for (const c of tlsCommits) if (c.commit()) changes.push(`hub.${c.protocol}.tls (files re-read)`);
  if (plan.logLevel) {
    t.rootLog.level = next.log.level;
    changes.push(`log.level ${old.log.level} → ${next.log.level}`);
  }
  const routerChange: { -readonly [K in keyof RouterReload]: RouterReload[K] } = {};
  if (plan.rooms) routerChange.rooms = roomConfigs(next);
  if (plan.hubLimits || plan.otherLimits) routerChange.limits = routerLimits(next);
  if (plan.perSender) {
    const p = next.limits.perSender;
    routerChange.senderRate = { ratePerSecond: p.messagesPerSecond, burst: p.burst };
  }
  if (plan.accounts) routerChange.listenable = listenableBy(next.hub.accounts);
  if (plan.accounts) routerChange.keepsOffline = offlineBy(next.hub.accounts);
  if (plan.identity) routerChange.mismatchedFrom = next.identity.mismatchedFrom;
  t.router.reconfigure(routerChange);
  if (plan.rooms) changes.push('rooms');
  if (plan.identity) changes.push('identity');
  if (plan.hubLimits) changes.push('hub.limits');
  if (plan.perSender) changes.push('limits.perSender');
  for (const key of ['connectionsPerAddress', 'maxIdlePresentities'] as const)
    if (old.limits[key] !== next.limits[key]) changes.push(`limits.${key}`);

  if (plan.accounts || plan.sasl || plan.hubLimits || plan.otherLimits) {
    for (const s of t.servers) s.reconfigure(next.hub, next.limits.connectionsPerAddress);
    t.host.setListenerLimits({
      connectionsPerAddress: next.limits.connectionsPerAddress,
      warnIntervalMs: next.limits.warnIntervalMs,
    });
  }
  if (plan.sasl) changes.push('hub.sasl');
  if (plan.accounts) {
    t.application.setAccounts(next.hub.accounts);
    changes.push('hub.accounts');
    closeRemovedAccounts(t, old, next);
  }
  if (plan.authFailures) {
    t.auth.setTracker(new AuthFailureTracker(next.limits.authFailures));
    changes.push('limits.authFailures');
  }
  if (commitPeers !== undefined) changes.push(...(await commitPeers(deadlineMs)));

  for (const id of plan.adapters.changed) {
    const s = sections.get(id)!;
    if (!inPlace(t, id, s.config)) continue;
    sections.delete(id);
    changes.push(`adapter ${id} reconfigured in place`);
  }
  const restarting = new Set(sections.keys());
  for (const id of [...plan.adapters.removed, ...plan.adapters.changed]) {
    if (!plan.adapters.removed.includes(id) && !restarting.has(id)) continue;
    await t.host.remove(id, deadlineMs);
    if (plan.adapters.removed.includes(id)) changes.push(`adapter ${id} stopped`);
  }
  const failed = new Set<string>();
  for (const [id, s] of sections) {
    if (await startAdapter(t, id, s, problems))
      changes.push(`adapter ${id} ${plan.adapters.added.includes(id) ? 'started' : 'restarted'}`);
    else failed.add(id);
  }
  const config =
    failed.size === 0 ? next : { ...next, adapters: next.adapters.filter((a) => !failed.has(adapterId(a))) };
  return { ok: problems.length === 0, problems, changes, config };
}

/** An adapter's own in-place reconfiguration; one that throws is restarted instead. */
function inPlace(t: ReloadTargets, id: string, section: unknown): boolean {
  try {
    return t.host.reconfigure(id, section);
  } catch (err) {
    t.log.warn(
      { adapter: id, reason: message(err) },
      'adapter could not apply its new section in place; restarting it',
    );
    return false;
  }
}

/** A hub connection authenticated as an account the new configuration no longer has is closed. */
function closeRemovedAccounts(t: ReloadTargets, old: GatewayConfig, next: GatewayConfig): void {
  const kept = new Set(next.hub.accounts.map((a) => a.user));
  const removed = new Set(old.hub.accounts.map((a) => a.user).filter((u) => !kept.has(u)));
  if (removed.size === 0) return;
  for (const server of t.servers)
    for (const conn of server.connections)
      if (conn.identity !== null && removed.has(conn.identity)) {
        t.log.warn(
          { user: conn.identity, remote: conn.remote, protocol: conn.protocol },
          'account removed by a reload, its connection closed',
        );
        conn.close('account removed');
      }
}

async function startAdapter(
  t: ReloadTargets,
  id: string,
  s: { at: number; definition: AdapterDefinition<never>; config: never },
  problems: ReloadProblem[],
): Promise<boolean> {
  try {
    const hosted = t.host.add(s.definition, id, s.config);
    try {
      await t.host.startOne(hosted, s.at);
    } catch (err) {
      await t.host.remove(id, 1000);
      throw err;
    }
    return true;
  } catch (err) {
    t.log.error(
      { adapter: id, reason: message(err) },
      'adapter did not start after a reload; it stays stopped',
    );
    problems.push({ path: `adapters[${s.at}]`, message: `did not start: ${message(err)}` });
    return false;
  }
}
