/**
 * The file store inside a whole gateway (issue 17, docs/files.md): started with it, handed to
 * adapters as `AdapterContext.files`, its server on `files.listen`, its state on `/ready` and its
 * figures on `/metrics`; a link made before a restart still serves after it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inlineFit } from '../../src/files/inline-fit.js';
import { FileRefusedError } from '../../src/files/types.js';
import { ELF, PNG_1X1 } from '../support/files.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { freePorts } from '../support/net.js';
import { metricValue, scrape } from '../support/prometheus.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const opsUrl = (g: TestGateway, path: string) =>
  `http://${g.gateway.addresses.ops!.host}:${g.gateway.addresses.ops!.port}${path}`;

describe('the file store in the gateway', () => {
  it('serves links from files.listen, shows on /ready and /metrics, and keeps links across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'files-gw-'));
    dirs.push(dir);
    const [port] = await freePorts(1);
    const config = {
      storage: { backend: 'sqlite', path: join(dir, 'gw.sqlite') },
      files: { listen: { host: '127.0.0.1', port }, publicBaseUrl: `http://127.0.0.1:${port}/` },
    };
    const first = await startTestGateway({ config });
    let url: string;
    try {
      expect(first.gateway.addresses.files).toEqual({ host: '127.0.0.1', port });
      const files = first.gateway.files.port()!;
      expect(files.inlineMaxBytes).toBe(32 * 1024);
      const f = await files.put(PNG_1X1, { filename: 'cat.png', owner: 'im:alice@gw.test' });
      url = f.url;
      expect(url.startsWith(`http://127.0.0.1:${port}/f/`)).toBe(true);
      await expect(files.put(ELF, { filename: 'x.png' })).rejects.toBeInstanceOf(FileRefusedError);
      const ready = (await (await fetch(opsUrl(first, '/ready'))).json()) as {
        components: { name: string }[];
      };
      expect(ready.components.map((c) => c.name)).toContain('files');
      const m = await scrape(opsUrl(first, '/metrics'));
      expect(metricValue(m, 'cpim_files_kept')).toBe(1);
      expect(metricValue(m, 'cpim_files_kept_bytes')).toBe(PNG_1X1.length);
      expect(metricValue(m, 'cpim_files_refused_total', { reason: 'forbidden-type' })).toBe(1);
      const r = await fetch(url);
      expect(r.status).toBe(200);
      expect(Buffer.from(await r.arrayBuffer())).toEqual(PNG_1X1);
    } finally {
      await first.stop();
    }
    const second = await startTestGateway({ config });
    try {
      const r = await fetch(url);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('image/png');
      expect(Buffer.from(await r.arrayBuffer())).toEqual(PNG_1X1);
    } finally {
      await second.stop();
    }
  });

  it('lowers files.inlineMaxBytes to what one IMTP payload carries, and says so', async () => {
    // The hub's default payload limit, 64 KiB.
    const g = await startTestGateway({
      config: { files: { listen: { host: '127.0.0.1', port: 0 }, inlineMaxBytes: 256 * 1024 } },
    });
    try {
      expect(g.gateway.files.port()!.inlineMaxBytes).toBe(inlineFit(65536));
      const warned = g.logs().find((l) => String(l['msg']).startsWith('files.inlineMaxBytes is more than'));
      expect(warned).toMatchObject({ inlineMaxBytes: 262144, maxImPayloadBytes: 65536 });
    } finally {
      await g.stop();
    }
  });

  it('is off with files.enabled: false: no port for adapters, no server', async () => {
    const g = await startTestGateway({ config: { files: { enabled: false } } });
    try {
      expect(g.gateway.files.port()).toBeNull();
      expect(g.gateway.addresses.files).toBeUndefined();
    } finally {
      await g.stop();
    }
  });
});
