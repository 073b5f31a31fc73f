// Fuzzing the web adapter's HTTP boundary (issue 13 "Fuzzing in CI", "contain failures at each
// boundary"): request targets (RFC 9112 3.2) as strings and as raw request lines on a real
// loopback server, and handlers that throw anything at all. The property: a path or null, an
// answer for every request, and the server keeps serving.
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzz, fuzzAsync, FUZZ_TIMEOUT, mutatedFrom, tokenSoup } from '../../test/support/fuzz.js';
import { captureLog } from '../../test/support/hub-tcp.js';
import { guardRequest, requestPath } from './http-boundary.js';

const TARGETS = [
  '/',
  '/ws',
  '/ws?token=abc#f',
  '/health',
  'http://example.test:8080/health?x',
  '//a//b',
  '/%zz',
].map((s) => Buffer.from(s));
const TARGET_TOKENS = [
  '/',
  '?',
  '#',
  '%',
  '%2F',
  'http://',
  'https://',
  'HTTP://',
  '[',
  ']',
  ':',
  '@',
  '..',
  '*',
  ' ',
  '\u0000',
  'é',
];

const targetArb = fc.oneof(
  fc.string({ maxLength: 80 }),
  mutatedFrom(TARGETS, 4).map((b) => b.toString('latin1')),
  tokenSoup(TARGET_TOKENS, 20).map((b) => b.toString('latin1')),
);

/** One raw request on its own connection; the status line's code, or null when none came. */
function rawRequest(port: number, head: Buffer): Promise<number | null> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const got: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), 5000);
    socket.on('data', (d: Buffer) => got.push(d));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const m = /^HTTP\/1\.1 (\d{3}) /.exec(Buffer.concat(got).toString('latin1'));
      resolve(m ? Number(m[1]) : null);
    });
    socket.end(head);
  });
}

describe('HTTP boundary fuzz', () => {
  it(
    'requestPath: null or a path without query or fragment, taken from the target',
    () => {
      fuzz(
        fc.property(targetArb, (target) => {
          const p = requestPath(target);
          if (p === null) return;
          expect(p.startsWith('/')).toBe(true);
          expect(p).not.toMatch(/[?#]/);
          if (target.startsWith('/')) expect(target.startsWith(p)).toBe(true);
        }),
      );
    },
    FUZZ_TIMEOUT,
  );

  describe('on a real server', () => {
    let server: Server;
    let port = 0;
    let thrown: unknown = undefined;
    const captured = captureLog('info');
    beforeAll(async () => {
      server = createServer(
        guardRequest(captured.log, (req, res) => {
          if (req.url === '/throw') throw thrown;
          const path = requestPath(req.url);
          res.writeHead(path === null ? 400 : path === '/ok' ? 200 : 404, { Connection: 'close' });
          res.end();
        }),
      );
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    });

    it(
      'hostile request lines get an answer or a closed connection, and the next request is served',
      async () => {
        await fuzzAsync(
          fc.asyncProperty(targetArb, async (target) => {
            const status = await rawRequest(
              port,
              Buffer.concat([
                Buffer.from('GET '),
                Buffer.from(target, 'latin1'),
                Buffer.from(' HTTP/1.1\r\nHost: x\r\n\r\n'),
              ]),
            );
            if (status !== null) expect([200, 400, 404]).toContain(status);
            expect(await rawRequest(port, Buffer.from('GET /ok HTTP/1.1\r\nHost: x\r\n\r\n'))).toBe(200);
          }),
          0.3,
        );
      },
      FUZZ_TIMEOUT,
    );

    // Regression found by the next property. Minimal counterexample: `throw Object.create(null)`
    // (String() of it throws), which escaped the boundary as an uncaught exception.
    it('a thrown Object.create(null) answers 500 and the server goes on', async () => {
      thrown = Object.create(null);
      expect(await rawRequest(port, Buffer.from('GET /throw HTTP/1.1\r\nHost: x\r\n\r\n'))).toBe(500);
      expect(captured.lines.at(-1)).toMatchObject({ level: 40, reason: 'unprintable object thrown' });
      expect(await rawRequest(port, Buffer.from('GET /ok HTTP/1.1\r\nHost: x\r\n\r\n'))).toBe(200);
    });

    it(
      'a handler that throws anything at all answers 500, logs at warn, and the server goes on',
      async () => {
        const oddThrowables = fc.constantFrom<unknown>(
          Object.create(null),
          {
            toString() {
              throw new Error('no string for you');
            },
          },
          Symbol('s'),
          undefined,
          null,
          Object.defineProperty(new Error('x'), 'message', {
            get() {
              throw new Error('no message for you');
            },
          }),
        );
        await fuzzAsync(
          fc.asyncProperty(fc.oneof(fc.anything(), oddThrowables), async (value) => {
            thrown = value;
            const before = captured.lines.length;
            expect(await rawRequest(port, Buffer.from('GET /throw HTTP/1.1\r\nHost: x\r\n\r\n'))).toBe(500);
            const warned = captured.lines
              .slice(before)
              .filter((l) => l['msg'] === 'http request failed, answered 500');
            expect(warned.length).toBe(1);
            expect(typeof warned[0]!['reason']).toBe('string');
            expect(await rawRequest(port, Buffer.from('GET /ok HTTP/1.1\r\nHost: x\r\n\r\n'))).toBe(200);
          }),
          0.3,
        );
      },
      FUZZ_TIMEOUT,
    );
  });
});
