/**
 * Hostile request lines against the web adapter's real HTTP server (issue 13, defect 1): each
 * gets an HTTP answer in the protocol's idiom, none stops the gateway, and a browser-like
 * client still signs in afterwards over the same port.
 */
import { connect as tcpConnect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { TOKENS, signIn, useWebGateways } from '../support/websocket.js';

/** Writes `request` on a raw socket and resolves with the status line of the answer. */
function rawRequest(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tcpConnect(port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no answer to ${JSON.stringify(request.slice(0, 60))}; got ${JSON.stringify(got)}`));
    }, 5000);
    s.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      const eol = got.indexOf('\r\n');
      if (eol === -1) return;
      clearTimeout(timer);
      s.destroy();
      resolve(got.slice(0, eol));
    });
    s.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    s.on('connect', () => s.write(request));
  });
}

const get = (target: string, extra = ''): string =>
  `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}Connection: close\r\n\r\n`;
const upgrade =
  'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';

describe('web adapter HTTP boundary', () => {
  const start = useWebGateways();

  it('answers hostile request targets with 4xx, keeps serving, and a WebSocket sign-in still works', async () => {
    const web = await start();
    const port = web.adapter.address!.port;
    const cases: [string, string, RegExp][] = [
      // RFC 9112 3.2.1: "//" is an origin-form path of empty segments; nothing is there.
      ['GET //', get('//'), /^HTTP\/1\.1 404 /],
      ['GET // as a WebSocket upgrade', get('//', upgrade), /^HTTP\/1\.1 404 /],
      // RFC 9112 3.2.2: absolute-form is accepted and served like its path.
      ['absolute-form /health', get(`http://127.0.0.1:${port}/health`), /^HTTP\/1\.1 (200|503) /],
      ['GET http://x', get('http://x'), /^HTTP\/1\.1 (200|404) /],
      ['absolute-form with a bad authority', get('http://[zz/health'), /^HTTP\/1\.1 400 /],
      ['a bad absolute-form upgrade', get('http://[zz/ws', upgrade), /^HTTP\/1\.1 400 /],
      ['a target that is no path', get('health'), /^HTTP\/1\.1 400 /],
      ['asterisk-form with GET', get('*'), /^HTTP\/1\.1 400 /],
      ['a path with %zz', get('/%zz'), /^HTTP\/1\.1 404 /],
      ['a 10 KB path', get('/' + 'a'.repeat(10 * 1024)), /^HTTP\/1\.1 404 /],
      ['not HTTP at all', 'HELLO\r\n\r\n', /^HTTP\/1\.1 400 /],
    ];
    for (const [what, request, want] of cases) expect(await rawRequest(port, request), what).toMatch(want);

    // Still serving: the health endpoint and a real sign-in on the same port.
    const health = await fetch(`${web.http}/health`);
    expect(health.status).toBe(200);
    const alice = await signIn(web.ws, TOKENS.alice);
    expect(alice.frames.some((f) => f.type === 'welcome')).toBe(true);
    alice.ws.close();
    // Nothing here was unexpected: no request failed with a 500.
    expect(web.gw.logs().filter((l) => String(l['msg']).includes('answered 500'))).toEqual([]);
  });
});
