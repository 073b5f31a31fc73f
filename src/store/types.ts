/**
 * The durable store (issue 15, docs/storage.md): one small interface, two backends (SQLite through
 * better-sqlite3, the embedded default; PostgreSQL through pg). Everything the gateway must not
 * forget across a restart goes through it: room and direct-conversation history, messages kept
 * for an inbox nobody listens on, the maps adapters keep (puppet nicks, mail threads, message
 * ids), the presence the router serves, and the outbound queues that answered `ok` before the
 * foreign network took the message.
 *
 * Every method is asynchronous (PostgreSQL is), and every write resolves only once it is
 * committed: a caller that answers `ok` after awaiting a write never answers `ok` for something
 * not stored. Writes issued in the same event-loop turn are committed together in one
 * transaction (the batch), so the store does not become the bottleneck. A write that cannot be
 * committed (disk full, database gone) rejects with a StoreError; callers answer `resources`.
 */

/** One message kept in a conversation's history. */
export interface HistoryRecord {
  /** Order within the store, assigned on commit; the cursor of `readHistory`. */
  readonly seq: number;
  /** The gateway's message id (unique in the store). */
  readonly id: string;
  /** The room's inbox URI, or `directConversation(a, b)` for two parties. */
  readonly conversation: string;
  /** Milliseconds since the epoch, when the gateway accepted it. */
  readonly time: number;
  /** The authenticated author (the verified Orig-Sender, else the Sender), an im: URI. */
  readonly source: string;
  /** The Inbox it was sent to (the room, or the recipient). */
  readonly destination: string;
  /** The payload's content type: `message/cpim` for IMTP sends. */
  readonly contentType: string;
  /** The payload octets, unchanged (docs/cpim.md row 34). */
  readonly payload: Uint8Array;
}

export type NewHistoryRecord = Omit<HistoryRecord, 'seq'>;

export interface HistoryQuery {
  /** Only records with seq below this (paging back). */
  readonly before?: number;
  /** Only records with seq above this (catching up). */
  readonly after?: number;
  /** At most this many; with `before` or neither, the newest ones; with `after`, the oldest. */
  readonly limit: number;
}

/** A message kept for an inbox nobody listened on when it came (offline delivery). */
export interface OfflineRecord {
  readonly seq: number;
  /** The gateway's message id: delivery after a restart is deduplicated by it. */
  readonly id: string;
  /** The inbox (im: URI) it waits for. */
  readonly inbox: string;
  /** The Sender of the send, to whom an expiry is reported. */
  readonly sender: string;
  readonly time: number;
  /** When it expires unread (milliseconds since the epoch). */
  readonly expires: number;
  /** The relayed IMTP headers, in order, as the listener would have got them. */
  readonly headers: readonly (readonly [string, string])[];
  readonly payload: Uint8Array;
}

export type NewOfflineRecord = Omit<OfflineRecord, 'seq'>;

/** One entry of a named outbound queue (the IRC pacing queue, mail waiting for the relay). */
export interface QueueRecord {
  readonly seq: number;
  /** The queue's name, chosen by its owner: `irc:<adapter id>`, `mail:<adapter id>`. */
  readonly queue: string;
  /** The message id the entry carries; one entry per (queue, id). */
  readonly id: string;
  readonly time: number;
  /** What the owner needs to send it again, in its own encoding. */
  readonly data: Uint8Array;
}

export interface StoreCheck {
  readonly ok: boolean;
  readonly schemaVersion: number;
  /** What is wrong, one line each (integrity errors, a schema newer than this program). */
  readonly problems: readonly string[];
  /** Row counts per table, for `cpim-gateway db check`. */
  readonly counts: Readonly<Record<string, number>>;
}

export interface Store {
  readonly backend: 'sqlite' | 'postgres';
  /** The file or the database, for logs and error lines (no password). */
  readonly location: string;

  // History.
  /**
   * Resolves with the record's seq. The same id in the same conversation again (a message resent
   * after a restart) is not stored twice: the first record's seq is the answer.
   */
  appendHistory(record: NewHistoryRecord): Promise<number>;
  /** Ascending by seq. */
  readHistory(conversation: string, query: HistoryQuery): Promise<HistoryRecord[]>;
  /**
   * Deletes by age (`olderThan`: records whose `time` is before this instant, milliseconds since
   * the epoch) and by count (`keepPerConversation`: only the newest this many of each
   * conversation stay); returns how many went.
   */
  pruneHistory(policy: {
    readonly olderThan?: number;
    readonly keepPerConversation?: number;
  }): Promise<number>;

  // Offline delivery.
  /** Resolves with the seq; the same id for the same inbox again is kept once (the first seq). */
  putOffline(record: NewOfflineRecord): Promise<number>;
  /** Oldest first. */
  readOffline(inbox: string, limit: number): Promise<OfflineRecord[]>;
  countOffline(inbox: string): Promise<number>;
  deleteOffline(seqs: readonly number[]): Promise<void>;
  /** Records with `expires` at or before `now`, oldest first (the caller reports, then deletes them). */
  readExpiredOffline(now: number, limit: number): Promise<OfflineRecord[]>;

  // Maps: small string tables an owner keeps (`irc:<id>:nick`, `mail:<id>:thread`, `msgid:<network>`).
  getMapping(namespace: string, key: string): Promise<string | undefined>;
  setMapping(namespace: string, key: string, value: string): Promise<void>;
  deleteMapping(namespace: string, key: string): Promise<void>;
  /** Every entry of a namespace (owners load theirs at start), in key order. */
  listMappings(namespace: string): Promise<[string, string][]>;

  // Outbound queues.
  /** False when (queue, id) is already queued: the entry is not added twice. */
  enqueue(queue: string, id: string, data: Uint8Array): Promise<boolean>;
  /** Oldest first. */
  readQueue(queue: string, limit: number): Promise<QueueRecord[]>;
  dequeue(queue: string, ids: readonly string[]): Promise<void>;

  // Administration (`cpim-gateway db check | backup | migrate`).
  check(): Promise<StoreCheck>;
  /** A consistent copy of the whole store at `target` (a file for SQLite, a SQL dump for PostgreSQL). */
  backup(target: string): Promise<void>;
  /** Commits what is batched, then closes. Idempotent. */
  close(): Promise<void>;
}
