/**
 * The operations endpoint's HTTP boundary on a real loopback socket (docs/operations.md): the
 * answers to what is not a request for one of its three paths, and the per-address limit.
 */
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { captureLog } from '../../test/support/hub-tcp.js';
import { OpsServer } from './server.js';

const servers: OpsServer[] = [];
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(connectionsPerAddress = 8) {
  const captured = captureLog('info');
  const server = new OpsServer({
    config: { enabled: true, host: '127.0.0.1', port: 0, requestTimeoutMs: 10_000 },
    log: captured.log,
    limits: { connectionsPerAddress, warnIntervalMs: 10 },
    health: () => ({ status: 'ok', state: 'running', uptimeSeconds: 1 }),
    ready: () => ({
      ready: false,
      components: [{ name: 'gateway', kind: 'gateway', ready: false, status: 'starting' }],
    }),
    metrics: () => Promise.resolve({ contentType: 'text/plain; version=0.0.4', text: 'x_total 1\n' }),
  });
  servers.push(server);
  const { port } = await server.listen();
  return { port, captured };
}

/** Writes `request` on a fresh connection and resolves with the status line of the answer. */
function raw(port: number, request: string, keep = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port });
    sockets.push(s);
    let got = '';
    s.on('data', (d: Buffer) => {
      got += d.toString();
      const line = got.split('\r\n')[0]!;
      if (got.includes('\r\n')) {
        if (!keep) s.destroy();
        resolve(line);
      }
    });
    s.on('error', reject);
    s.on('connect', () => s.write(request));
  });
}

describe('OpsServer', () => {
  it('serves /health, /ready (503 when not ready) and /metrics', async () => {
    const { port } = await start();
    expect(await raw(port, 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n')).toBe('HTTP/1.1 200 OK');
    expect(await raw(port, 'GET /ready HTTP/1.1\r\nHost: x\r\n\r\n')).toBe(
      'HTTP/1.1 503 Service Unavailable',
    );
    const m = await fetch(`http://127.0.0.1:${port}/metrics?ignored=1`);
    expect(m.headers.get('content-type')).toBe('text/plain; version=0.0.4');
    expect(await m.text()).toBe('x_total 1\n');
  });

  it('answers 400 to a bad target or a second Host, 405 to other methods, 404 elsewhere', async () => {
    const { port } = await start();
    expect(await raw(port, 'GET * HTTP/1.1\r\nHost: x\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request');
    expect(await raw(port, 'GET /health HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n')).toBe(
      'HTTP/1.1 400 Bad Request',
    );
    expect(await raw(port, 'DELETE /health HTTP/1.1\r\nHost: x\r\n\r\n')).toBe(
      'HTTP/1.1 405 Method Not Allowed',
    );
    expect(await raw(port, 'GET /admin HTTP/1.1\r\nHost: x\r\n\r\n')).toBe('HTTP/1.1 404 Not Found');
    expect(await raw(port, 'NOT-HTTP\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request');
  });

  it('refuses a connection over limits.connectionsPerAddress with 503 and a warn line', async () => {
    const { port, captured } = await start(1);
    expect(await raw(port, 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n', true)).toBe('HTTP/1.1 200 OK');
    expect(await raw(port, 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n')).toBe(
      'HTTP/1.1 503 Service Unavailable',
    );
    expect(
      await captured.waitFor('ops connection refused: too many connections from this address'),
    ).toMatchObject({
      level: 40,
      ip: '127.0.0.1',
      limit: 1,
    });
  });

  it('names ops.port when the port is taken', async () => {
    const { port } = await start();
    const second = new OpsServer({
      config: { enabled: true, host: '127.0.0.1', port, requestTimeoutMs: 1000 },
      log: captureLog().log,
      limits: { connectionsPerAddress: 1, warnIntervalMs: 10 },
      health: () => ({ status: 'ok', state: 'running', uptimeSeconds: 0 }),
      ready: () => ({ ready: true, components: [] }),
      metrics: () => Promise.resolve({ contentType: 'text/plain', text: '' }),
    });
    await expect(second.listen()).rejects.toThrow(
      `cannot listen on 127.0.0.1:${port} (ops.port): address in use`,
    );
  });
});
