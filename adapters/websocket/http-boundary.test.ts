/**
 * The HTTP boundary on a real loopback server: request targets (RFC 9112 3.2), and a handler
 * that throws or rejects answers 500 with one warn line while the server keeps serving.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { captureLog } from '../../test/support/hub-tcp.js';
import { Duplex } from 'node:stream';
import { guardRequest, refuseUpgrade, requestPath } from './http-boundary.js';

describe('refuseUpgrade', () => {
  it('writes one complete response with the extra headers and closes the socket', () => {
    const written: Buffer[] = [];
    const socket = new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        written.push(chunk);
        cb();
      },
    });
    refuseUpgrade(socket, 503, 'Service Unavailable', { 'Retry-After': '10' });
    expect(Buffer.concat(written).toString('latin1')).toBe(
      'HTTP/1.1 503 Service Unavailable\r\nRetry-After: 10\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
    );
    expect(socket.destroyed).toBe(true);
  });
});

describe('requestPath (RFC 9112 3.2)', () => {
  it('keeps origin-form paths as sent and takes the path of absolute-form', () => {
    expect(requestPath('/ws?x=1#f')).toBe('/ws');
    expect(requestPath('//')).toBe('//');
    expect(requestPath('/%zz')).toBe('/%zz');
    expect(requestPath('http://example.test:8080/health?x')).toBe('/health');
    expect(requestPath('http://x')).toBe('/');
  });
  it('refuses what is no request target for GET', () => {
    for (const t of [undefined, '', '*', 'health', 'example.test:443', 'http://[zz/', 'ftp://x/y'])
      expect(requestPath(t), String(t)).toBeNull();
  });
});

describe('guardRequest', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r) ?? r(undefined));
  });

  it('answers 500 to a throw and to a rejection, logs each at warn, and serves the next request', async () => {
    const captured = captureLog('info');
    server = createServer(
      guardRequest(captured.log, (req, res) => {
        if (req.url === '/throw') throw new Error('boom');
        if (req.url === '/reject') return Promise.reject(new Error('later boom'));
        res.end('fine');
      }),
    );
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const thrown = await fetch(`${base}/throw`);
    expect(thrown.status).toBe(500);
    expect(await thrown.text()).toBe('internal error\n');
    expect((await fetch(`${base}/reject`)).status).toBe(500);
    const ok = await fetch(`${base}/ok`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('fine');
    const warned = captured.lines.filter((l) => l['msg'] === 'http request failed, answered 500');
    expect(warned.map((l) => [l['level'], l['reason'], l['target']])).toEqual([
      [40, 'boom', '/throw'],
      [40, 'later boom', '/reject'],
    ]);
    // One line, no stack trace.
    expect(JSON.stringify(warned)).not.toContain('stack');
  });
});
