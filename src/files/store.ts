/**
 * The gateway's file store (issue 17, docs/files.md), implementing FileStorePort: bytes under
 * `files.dir`, written to a temporary name and renamed (a crash leaves no half file under a
 * served name), with fs/promises so the event loop never waits on the disk; the type found from
 * the content (sniff.ts); size, total, count, per-author and age limits, each refused with its
 * reason (FileRefusedError); records by token in the durable store (records.ts), so links
 * survive a restart; a sweep removing expired files, a bounded number per tick.
 */
import { mkdir, mkdtemp, readdir, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { FilesConfig } from '../config/files-schema.js';
import type { StorageConfig } from '../config/storage-schema.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/types.js';
import { OwnerQuota } from './quota.js';
import { FileRecords, type FileRecord } from './records.js';
import { sniffType, TEXT_PLAIN } from './sniff.js';
import { cleanFilename, diskName, newToken } from './token.js';
import {
  FileRefusedError,
  type FileMeta,
  type FileRefusal,
  type FileStorePort,
  type StoredFile,
} from './types.js';

/** Expired files removed per sweep tick: the rest wait for the next one. */
const SWEEP_BATCH = 256;

export interface FileStoreOptions {
  readonly config: FilesConfig;
  /** Where `files.dir` defaults to: beside the SQLite file, or a temporary folder. */
  readonly storageConfig: Pick<StorageConfig, 'backend' | 'path'>;
  readonly store: Store | null;
  readonly log: Logger;
  readonly now?: () => number;
  /** Called with each refusal's reason (metrics). */
  readonly onRefused?: (reason: FileRefusal) => void;
}

/** The folder of kept files, and whether it is a temporary one removed at stop. */
export function filesDir(
  config: Pick<FilesConfig, 'dir'>,
  storage: Pick<StorageConfig, 'backend' | 'path'>,
): string | null {
  if (config.dir !== undefined) return config.dir;
  if (storage.backend === 'sqlite' && storage.path !== ':memory:')
    return join(dirname(storage.path), 'files');
  if (storage.backend === 'postgres') return join('data', 'files');
  return null;
}

export class FileStore implements FileStorePort {
  readonly inlineMaxBytes: number;
  readonly maxBytes: number;
  private readonly records: FileRecords;
  private readonly quota: OwnerQuota;
  private readonly now: () => number;
  private dir = '';
  private temporary = false;
  private baseUrl = '';
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> = Promise.resolve();
  private tmpCounter = 0;
  /** Files being written (not recorded yet). */
  private readonly pending = { bytes: 0, count: 0 };

  constructor(private readonly o: FileStoreOptions) {
    this.inlineMaxBytes = o.config.inlineMaxBytes;
    this.maxBytes = o.config.maxBytes;
    this.now = o.now ?? Date.now;
    this.records = new FileRecords(o.store, o.log);
    this.quota = new OwnerQuota(o.config.perOwnerBytesPerHour, o.config.maxOwnersTracked, this.now);
  }

  /** The folder in use (after start). */
  get folder(): string {
    return this.dir;
  }

  get count(): number {
    return this.records.count;
  }

  get bytes(): number {
    return this.records.bytes;
  }

  /** Opens the folder, reads the records, removes what expired and what no record names. */
  async start(): Promise<void> {
    const configured = filesDir(this.o.config, this.o.storageConfig);
    if (configured === null) {
      this.dir = await mkdtemp(join(tmpdir(), 'cpim-files-'));
      this.temporary = true;
      this.o.log.info(
        { dir: this.dir },
        'file store in a temporary folder, removed at stop (no durable storage)',
      );
    } else {
      this.dir = configured;
      await mkdir(this.dir, { recursive: true });
      this.o.log.info({ dir: this.dir }, 'file store');
    }
    await this.records.load();
    while ((await this.sweepOnce()) === SWEEP_BATCH);
    await this.removeLeftovers();
    this.timer = setInterval(() => {
      this.sweeping = this.sweeping.then(() => this.sweepOnce().then(() => undefined));
    }, this.o.config.sweepIntervalMs);
    this.timer.unref();
  }

  /** FileStorePort.publicBaseUrl: the links' base, once known (the web page's img-src, issue 17). */
  get publicBaseUrl(): string | undefined {
    return this.baseUrl === '' ? undefined : this.baseUrl;
  }

  /** The links' base (`files.publicBaseUrl`, or the server's address once it listens). */
  setBaseUrl(url: string): void {
    this.baseUrl = url.replace(/\/+$/, '');
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping;
    if (this.temporary) await rm(this.dir, { recursive: true, force: true });
  }

  /** The record of a link, or undefined when unknown or expired (the server answers both 404). */
  lookup(token: string): FileRecord | undefined {
    const r = this.records.get(token);
    return r === undefined || r.expiresAt <= this.now() ? undefined : r;
  }

  /** Where a record's bytes are. */
  pathOf(r: FileRecord): string {
    return join(this.dir, diskName(r.token));
  }

  async put(bytes: Uint8Array, meta: FileMeta): Promise<StoredFile> {
    this.check(bytes.length, this.maxBytes, 'file');
    const type = await sniffType(bytes);
    if (!this.o.config.allowedTypes.includes(type))
      this.refuse('forbidden-type', `files of type ${type} are not accepted`);
    return this.keep(bytes, type, cleanFilename(meta.filename), meta.owner);
  }

  async putText(text: string, meta: FileMeta): Promise<StoredFile> {
    const bytes = Buffer.from(text, 'utf8');
    this.check(bytes.length, this.o.config.maxLongTextBytes, 'text');
    return this.keep(bytes, TEXT_PLAIN, cleanFilename(meta.filename, 'message.txt'), meta.owner);
  }

  private check(size: number, max: number, what: string): void {
    if (!this.o.config.enabled) this.refuse('disabled', 'this gateway keeps no files');
    if (size > max) this.refuse('too-large', `the ${what} is ${size} octets, over the limit of ${max}`);
  }

  private refuse(reason: FileRefusal, message: string): never {
    this.o.onRefused?.(reason);
    throw new FileRefusedError(reason, message);
  }

  private async keep(
    bytes: Uint8Array,
    contentType: string,
    filename: string,
    owner: string | undefined,
  ): Promise<StoredFile> {
    const c = this.o.config;
    // Files being written count too: concurrent puts cannot pass the bounds together.
    if (
      this.records.bytes + this.pending.bytes + bytes.length > c.maxTotalBytes ||
      this.records.count + this.pending.count >= c.maxFiles
    )
      this.refuse('full', "the gateway's file store is full");
    const who = owner ?? '';
    if (!this.quota.take(who, bytes.length))
      this.refuse('quota', `over the limit of ${c.perOwnerBytesPerHour} octets of files per hour`);
    const token = newToken();
    const path = join(this.dir, diskName(token));
    const temp = join(this.dir, `.tmp-${process.pid}-${++this.tmpCounter}`);
    const createdAt = this.now();
    const record: FileRecord = {
      token,
      filename,
      contentType,
      size: bytes.length,
      createdAt,
      expiresAt: createdAt + c.maxAgeMs,
      ...(owner === undefined ? {} : { owner }),
    };
    this.pending.bytes += bytes.length;
    this.pending.count++;
    try {
      await writeFile(temp, bytes, { flag: 'wx' });
      await rename(temp, path);
    } catch (err) {
      this.quota.giveBack(who, bytes.length);
      await unlink(temp).catch(() => undefined);
      throw err;
    } finally {
      this.pending.bytes -= bytes.length;
      this.pending.count--;
    }
    const stored = this.records.add(record);
    try {
      await stored;
    } catch (err) {
      // Served in this run; forgotten at a restart (the leftover is removed then).
      this.o.log.warn({ err, owner }, 'file record not written to the store; its link ends at restart');
    }
    this.o.log.debug({ size: record.size, type: contentType, owner }, 'file kept');
    return {
      url: this.urlOf(record),
      contentType,
      size: record.size,
      filename,
      expiresAt: record.expiresAt,
    };
  }

  /** `<base>/f/<token>/<name>`: the name is only shown; the token alone finds the file. */
  urlOf(r: FileRecord): string {
    return `${this.baseUrl}/f/${r.token}/${encodeURIComponent(r.filename)}`;
  }

  /** Removes up to SWEEP_BATCH expired files; resolves with how many went. */
  private async sweepOnce(): Promise<number> {
    const t = this.now();
    const gone: FileRecord[] = [];
    for (const r of this.records.all()) {
      // Records are in expiry order (records.ts): the first one still valid ends the pass.
      if (gone.length >= SWEEP_BATCH || r.expiresAt > t) break;
      gone.push(r);
    }
    for (const r of gone) {
      this.records.delete(r.token);
      await unlink(this.pathOf(r)).catch(() => undefined);
    }
    if (gone.length > 0) this.o.log.debug({ removed: gone.length }, 'expired files removed');
    return gone.length;
  }

  /**
   * Files no record names (a crash between write and record, a half-written temporary). Only
   * names this store makes are touched: a folder shared by mistake loses nothing else.
   */
  private async removeLeftovers(): Promise<void> {
    const known = new Set<string>();
    for (const r of this.records.all()) known.add(diskName(r.token));
    let removed = 0;
    for (const name of await readdir(this.dir)) {
      if (known.has(name) || !/^(?:[0-9a-f]{64}|\.tmp-\d+-\d+)$/.test(name)) continue;
      await rm(join(this.dir, name), { force: true });
      removed++;
    }
    if (removed > 0) this.o.log.info({ removed }, 'files left from an earlier run removed');
  }
}
