/**
 * What the web adapter keeps in the gateway's store (issue 15, docs/adapters/web-chat.md
 * "History" and "Offline delivery"), and whether it may: the store exists only once the gateway
 * has started (AdapterContext.storage, called from `start()` on) and is null with
 * `storage.backend: none`; history and offline delivery each have a global switch (`storage.*`)
 * and this adapter's own (`history.enabled`, `offline.enabled`, `offline.exclude`).
 */
import {
  getHeader,
  MESSAGE_ID_HEADER,
  newMessageId,
  type AdapterContext,
  type Headers,
  type Store,
} from '../../src/index.js';
import type { WebSocketConfig } from './config.js';

export { newMessageId };

/** The send's Message-ID; a send that came without one (no router gave it one) gets a new one. */
export function messageIdOf(headers: Headers): string {
  return getHeader(headers, MESSAGE_ID_HEADER)?.trim() || newMessageId();
}

export interface OfflinePolicy {
  readonly maxAgeMs: number;
  readonly maxPerInbox: number;
}

/** The `storage:` keys the adapter honours, as the gateway passes them (AdapterContext.storageConfig). */
interface StorageSwitches {
  readonly history: { readonly enabled: boolean };
  readonly offline: { readonly enabled: boolean; readonly maxAgeMs: number; readonly maxPerInbox: number };
}

const STORAGE_DEFAULTS: StorageSwitches = {
  history: { enabled: true },
  offline: { enabled: true, maxAgeMs: 7 * 24 * 3600_000, maxPerInbox: 1000 },
};

export class WebStorage {
  constructor(
    private readonly ctx: AdapterContext,
    private readonly config: () => WebSocketConfig,
  ) {}

  private get switches(): StorageSwitches {
    return this.ctx.storageConfig ?? STORAGE_DEFAULTS;
  }

  /** The store, or null (not started yet, or `storage.backend: none`). */
  store(): Store | null {
    return this.ctx.storage?.() ?? null;
  }

  /** The store when direct conversations are kept and history is served. */
  history(): Store | null {
    return this.config().history.enabled && this.switches.history.enabled ? this.store() : null;
  }

  /** The store when messages for `user` are kept while they are away. */
  offline(user: string): Store | null {
    const c = this.config().offline;
    if (!c.enabled || !this.switches.offline.enabled || c.exclude.includes(user)) return null;
    return this.store();
  }

  get offlinePolicy(): OfflinePolicy {
    const o = this.switches.offline;
    return { maxAgeMs: o.maxAgeMs, maxPerInbox: o.maxPerInbox };
  }

  /** The namespace of web accounts seen (issue 15: "web accounts seen"). */
  get seenNamespace(): string {
    return `web:${this.ctx.id}:seen`;
  }
}
