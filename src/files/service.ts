/**
 * The file store and its HTTP server as one part of the gateway (src/gateway.ts): started after
 * the durable store (the records live there) and before the adapters (they keep files from
 * their start on), stopped in reverse. Its figures go to the gateway's registry: files kept,
 * octets kept, refusals by reason (docs/operations.md).
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { GatewayConfig } from '../config/schema.js';
import { component, type Logger } from '../log.js';
import type { Store } from '../store/types.js';
import { effectiveInline } from './inline-fit.js';
import { FileServer } from './server.js';
import { FileStore } from './store.js';
import type { FileStorePort } from './types.js';

export interface FilesServiceOptions {
  readonly config: GatewayConfig;
  readonly log: Logger;
  readonly store: () => Store | null;
  readonly registry?: Registry;
}

export class FilesService {
  private files: FileStore | null = null;
  private server: FileServer | null = null;
  private refusals: Counter<'reason'> | undefined;
  /** Where the file server listens, once started. */
  address: { host: string; port: number } | undefined;

  constructor(private readonly o: FilesServiceOptions) {
    const registers = o.registry === undefined ? [] : [o.registry];
    if (registers.length === 0) return;
    this.refusals = new Counter({
      name: 'cpim_files_refused_total',
      help: 'Files and long texts the file store refused, by reason (too-large, forbidden-type, quota, full)',
      labelNames: ['reason'],
      registers,
    });
    const current = (): FileStore | null => this.files;
    new Gauge({
      name: 'cpim_files_kept',
      help: 'Files the file store keeps now',
      registers,
      collect() {
        this.set(current()?.count ?? 0);
      },
    });
    new Gauge({
      name: 'cpim_files_kept_bytes',
      help: 'Octets the file store keeps now',
      registers,
      collect() {
        this.set(current()?.bytes ?? 0);
      },
    });
  }

  get enabled(): boolean {
    return this.o.config.files.enabled;
  }

  /** The port adapters see (AdapterContext.files): null when off or not started. */
  port(): FileStorePort | null {
    return this.files;
  }

  /** The store itself, for the gateway's own paths and tests. */
  get fileStore(): FileStore | null {
    return this.files;
  }

  get listening(): boolean {
    return this.server?.listening ?? false;
  }

  async start(): Promise<void> {
    const { config } = this.o;
    const c = config.files;
    if (!c.enabled) return;
    const log = component(this.o.log, 'files');
    // inline-fit.ts: a file the router would refuse as too large for one message goes as a link.
    const inline = effectiveInline(c.inlineMaxBytes, config.hub.limits.maxImPayloadBytes);
    if (inline.lowered)
      log.warn(
        {
          inlineMaxBytes: c.inlineMaxBytes,
          maxImPayloadBytes: config.hub.limits.maxImPayloadBytes,
          inline: inline.bytes,
        },
        'files.inlineMaxBytes is more than one message carries (hub.limits.maxImPayloadBytes): files over the lower figure travel as links',
      );
    const files = new FileStore({
      config: { ...c, inlineMaxBytes: inline.bytes },
      storageConfig: config.storage,
      store: this.o.store(),
      log,
      onRefused: (reason) => this.refusals?.inc({ reason }),
    });
    await files.start();
    const server = new FileServer({
      host: c.listen.host,
      port: c.listen.port,
      requestTimeoutMs: c.requestTimeoutMs,
      log,
      limits: {
        connectionsPerAddress: config.limits.connectionsPerAddress,
        warnIntervalMs: config.limits.warnIntervalMs,
      },
      lookup: (token) => files.lookup(token),
      pathOf: (r) => files.pathOf(r),
    });
    try {
      const at = await server.listen();
      this.address = { host: at.address, port: at.port };
    } catch (err) {
      await files.stop();
      throw err;
    }
    const host = at6(this.address.host);
    files.setBaseUrl(c.publicBaseUrl ?? `http://${host}:${this.address.port}`);
    if (c.publicBaseUrl === undefined)
      log.info(
        { listen: this.address },
        'file links name the listen address; set files.publicBaseUrl to the address readers reach (docs/files.md)',
      );
    this.files = files;
    this.server = server;
  }

  async stop(): Promise<void> {
    const [server, files] = [this.server, this.files];
    this.server = null;
    this.files = null;
    await server?.close();
    await files?.stop();
  }
}

/** An IPv6 literal goes in brackets in a URL (RFC 3986 3.2.2). */
function at6(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
