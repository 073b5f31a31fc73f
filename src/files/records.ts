/**
 * What the store knows of each kept file, by link token (issue 17: a link made before a restart
 * still serves after it). In memory for the file server's lookups, written through to the
 * durable store's `files` namespace of mappings (src/store/types.ts), read back at start.
 * Insertion order is expiry order while `files.maxAgeMs` stays the same, so the sweep stops at
 * the first record still valid.
 */
import type { Logger } from '../log.js';
import type { Store } from '../store/types.js';

export const FILES_NAMESPACE = 'files';

export interface FileRecord {
  readonly token: string;
  readonly filename: string;
  /** Found from the content (no parameters). */
  readonly contentType: string;
  readonly size: number;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly owner?: string;
}

function parse(token: string, text: string): FileRecord | null {
  try {
    const r = JSON.parse(text) as Partial<FileRecord>;
    if (
      typeof r.filename !== 'string' ||
      typeof r.contentType !== 'string' ||
      typeof r.size !== 'number' ||
      typeof r.createdAt !== 'number' ||
      typeof r.expiresAt !== 'number'
    )
      return null;
    return {
      token,
      filename: r.filename,
      contentType: r.contentType,
      size: r.size,
      createdAt: r.createdAt,
      expiresAt: r.expiresAt,
      ...(typeof r.owner === 'string' ? { owner: r.owner } : {}),
    };
  } catch {
    return null;
  }
}

export class FileRecords {
  private readonly byToken = new Map<string, FileRecord>();
  private total = 0;

  constructor(
    private readonly store: Store | null,
    private readonly log: Logger,
  ) {}

  get count(): number {
    return this.byToken.size;
  }

  /** Octets of every kept file. */
  get bytes(): number {
    return this.total;
  }

  /** Reads the namespace at start; unreadable rows are deleted. */
  async load(): Promise<void> {
    if (this.store === null) return;
    const rows = await this.store.listMappings(FILES_NAMESPACE);
    const good: FileRecord[] = [];
    for (const [token, text] of rows) {
      const r = parse(token, text);
      if (r === null) await this.store.deleteMapping(FILES_NAMESPACE, token);
      else good.push(r);
    }
    good.sort((a, b) => a.expiresAt - b.expiresAt);
    for (const r of good) this.remember(r);
  }

  get(token: string): FileRecord | undefined {
    return this.byToken.get(token);
  }

  all(): IterableIterator<FileRecord> {
    return this.byToken.values();
  }

  /** Keeps `r` and writes it through; resolves once the store committed it. */
  async add(r: FileRecord): Promise<void> {
    this.remember(r);
    if (this.store === null) return;
    const { token: _token, ...row } = r;
    await this.store.setMapping(FILES_NAMESPACE, r.token, JSON.stringify(row));
  }

  delete(token: string): void {
    const r = this.byToken.get(token);
    if (r === undefined) return;
    this.byToken.delete(token);
    this.total -= r.size;
    this.store?.deleteMapping(FILES_NAMESPACE, token).catch((err: unknown) => {
      this.log.warn({ err }, 'file record not deleted from the store; removed at the next start');
    });
  }

  private remember(r: FileRecord): void {
    this.byToken.set(r.token, r);
    this.total += r.size;
  }
}
