/**
 * Hostile HTTP against the web adapter's port of a real gateway process (issue 13). Each row is
 * answered in HTTP's idiom (RFC 9110 / RFC 9112) and, after it, the page still loads within a
 * second (test/support/hostile.ts). Folds in the former websocket-hostile-http.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { pageServed, webChatServed } from '../../support/hostile-clients.js';
import { useHostileGateway, type HostileArena } from '../../support/hostile.js';
import { sleep } from '../../support/net.js';

const arena = useHostileGateway(async (gw) => {
  await pageServed(gw);
  await webChatServed(gw);
});

interface Sent {
  /** The status line of the first answer, or '' when the server closed without one. */
  readonly status: string;
  readonly text: string;
}

/** Writes the parts (pausing `gapMs` between them) and reads until the server closes or `ms`. */
async function request(a: HostileArena, parts: (string | Buffer)[], gapMs = 0, ms = 4000): Promise<Sent> {
  const peer = await a.raw(a.gw().ports.http);
  for (const [i, p] of parts.entries()) {
    if (i > 0 && gapMs > 0) await sleep(gapMs);
    if (peer.ended()) break;
    await peer.write(p);
  }
  await peer.until((t) => t.includes('\r\n\r\n') && /Connection: close/i.test(t), ms);
  await peer.until(() => peer.ended(), 300);
  const text = peer.text();
  return { status: text.slice(0, Math.max(0, text.indexOf('\r\n'))), text };
}

const get = (target: string, extra = '', version = 'HTTP/1.1'): string =>
  `GET ${target} ${version}\r\nHost: 127.0.0.1\r\n${extra}Connection: close\r\n\r\n`;
const upgrade =
  'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';
const CLIENT_HELLO = Buffer.from(
  '16030100a5010000a10303' + '5a'.repeat(32) + '000004c02fc0300100007400000010000e00000b6c6f63616c686f7374',
  'hex',
);

interface Row {
  readonly name: string;
  readonly spec: string;
  readonly parts: (string | Buffer)[] | ((port: number) => (string | Buffer)[]);
  readonly gapMs?: number;
  readonly status: RegExp;
  /** The warn line the gateway writes for it, when the HTTP parser refused it. */
  readonly logged?: string;
}

const rows: Row[] = [
  { name: 'GET //', spec: 'RFC 9112 3.2.1 (a path of empty segments)', parts: [get('//')], status: / 404 / },
  {
    name: 'GET // as a WebSocket upgrade',
    spec: 'RFC 6455 4.2.2',
    parts: [get('//', upgrade)],
    status: / 404 /,
  },
  {
    name: 'absolute-form target',
    spec: 'RFC 9112 3.2.2 (a server MUST accept it)',
    parts: (port) => [get(`http://127.0.0.1:${port}/health`)],
    status: / 200 /,
  },
  {
    name: 'absolute-form with a bad authority',
    spec: 'RFC 9112 3.2',
    parts: [get('http://[zz/health')],
    status: / 400 /,
  },
  {
    name: 'a bad absolute-form upgrade',
    spec: 'RFC 9112 3.2',
    parts: [get('http://[zz/ws', upgrade)],
    status: / 400 /,
  },
  {
    name: 'authority-form target with GET',
    spec: 'RFC 9112 3.2.3 (only for CONNECT)',
    parts: [get('127.0.0.1:80')],
    status: / 400 /,
  },
  {
    name: 'GET http://x',
    spec: 'RFC 9112 3.2.2 (absolute-form, another host)',
    parts: [get('http://x')],
    status: / (200|404) /,
  },
  { name: 'a target that is no path', spec: 'RFC 9112 3.2', parts: [get('health')], status: / 400 / },
  {
    name: 'asterisk-form with GET',
    spec: 'RFC 9112 3.2.4 (only for OPTIONS)',
    parts: [get('*')],
    status: / 400 /,
  },
  {
    name: 'CONNECT',
    spec: 'RFC 9110 9.3.6 / 15.5.6 (no tunnels here: 405 with Allow)',
    parts: ['CONNECT 127.0.0.1:80 HTTP/1.1\r\nHost: 127.0.0.1:80\r\n\r\n'],
    status: / 405 /,
  },
  {
    name: 'TRACE',
    spec: 'RFC 9110 15.5.6 (405 with Allow)',
    parts: ['TRACE / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'],
    status: / 405 /,
  },
  {
    name: 'an unknown method',
    spec: 'RFC 9112 3 (a request line that does not parse: 400)',
    parts: ['FROB / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'],
    status: / 400 /,
    logged: 'http client error, request refused',
  },
  {
    name: '.. traversal',
    spec: 'RFC 3986 5.2.4 (nothing outside the served paths)',
    parts: [get('/../../etc/passwd')],
    status: / 404 /,
  },
  {
    name: '%2e%2e traversal',
    spec: 'RFC 3986 2.3',
    parts: [get('/%2e%2e/%2e%2e/etc/passwd')],
    status: / 404 /,
  },
  { name: 'invalid percent-encoding', spec: 'RFC 3986 2.1', parts: [get('/%zz%')], status: / 404 / },
  {
    name: 'a 10 KB path',
    spec: 'RFC 9112 3 (under the head limit)',
    parts: [get('/' + 'a'.repeat(10 * 1024))],
    status: / 404 /,
  },
  {
    name: 'a 100 KB URL',
    spec: 'RFC 9112 3 / RFC 6585 5 (431: over the 16 KB head limit)',
    parts: [get('/' + 'a'.repeat(100 * 1024))],
    status: / 431 /,
    logged: 'http client error, request refused',
  },
  {
    name: 'headers over maxHeaderSize',
    spec: 'RFC 6585 5 (431)',
    parts: [get('/', `X-Big: ${'b'.repeat(20 * 1024)}\r\n`)],
    status: / 431 /,
  },
  {
    name: '10,000 small headers',
    spec: 'RFC 6585 5 (431)',
    parts: [get('/', 'X-a: b\r\n'.repeat(10_000))],
    status: / 431 /,
  },
  {
    name: 'two Host fields',
    spec: 'RFC 9112 3.2 (MUST answer 400)',
    parts: ['GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n'],
    status: / 400 /,
  },
  {
    name: 'two Host fields on an upgrade',
    spec: 'RFC 9112 3.2 (MUST answer 400)',
    parts: [`GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n${upgrade}\r\n`],
    status: / 400 /,
  },
  {
    name: 'no Host',
    spec: 'RFC 9112 3.2 (MUST answer 400)',
    parts: ['GET / HTTP/1.1\r\nConnection: close\r\n\r\n'],
    status: / 400 /,
  },
  {
    name: 'a body on GET',
    spec: 'RFC 9110 9.3.1 (no defined semantics: served, body ignored)',
    parts: ['GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello'],
    status: / 200 /,
  },
  {
    name: 'chunked with a huge chunk size',
    spec: 'RFC 9112 7.1 (a chunk size that overflows: the request is refused or cut)',
    parts: [
      'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffffff\r\n',
    ],
    status: / (400|405) /,
  },
  {
    name: 'a slowloris client trickling its head',
    spec: 'RFC 9110 15.5.9 (408 after http.headersTimeoutMs = 1000)',
    parts: ['GET / HTTP/1.1\r\n', ...Array.from({ length: 30 }, (_, i) => `X-${i}: y\r\n`)],
    gapMs: 100,
    status: / 408 /,
    logged: 'http client error, request refused',
  },
  {
    name: 'HTTP/0.9 request',
    spec: 'RFC 9112 2.3 / appendix C.1 (not served; the head never completes: 408)',
    parts: ['GET /\r\n'],
    status: / 408 /,
  },
  {
    name: 'HTTP/1.0 request',
    spec: 'RFC 9112 2.3',
    parts: [get('/health', '', 'HTTP/1.0')],
    status: /^HTTP\/1\.1 200 /,
  },
  {
    name: 'HTTP/2 connection preface',
    spec: 'RFC 9113 3.4 (an HTTP/1.1 server answers 400)',
    parts: ['PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'],
    status: / 400 /,
  },
  {
    name: 'a TLS ClientHello on the plain port',
    spec: 'RFC 9112 3 (not a request line: 400)',
    parts: [CLIENT_HELLO],
    status: / 400 /,
  },
  { name: 'not HTTP at all', spec: 'RFC 9112 3', parts: ['HELLO\r\n\r\n'], status: / 400 / },
];

describe('hostile HTTP on the web adapter port', () => {
  for (const row of rows)
    it(`${row.name} → ${row.status.source.trim()} (${row.spec})`, async () => {
      const parts = typeof row.parts === 'function' ? row.parts(arena.gw().ports.http) : row.parts;
      const got = await request(arena, parts, row.gapMs);
      expect(got.status, got.text.slice(0, 200)).toMatch(/^HTTP\/1\.1 \d{3} /);
      expect(got.status).toMatch(row.status);
      if (row.logged !== undefined) {
        const line = await arena.waitForLog(row.logged);
        expect(line.level).toBe(40);
        expect(line.remote).toBe('127.0.0.1');
      }
    });

  it('nothing was answered 500 (no unexpected failure in any request)', () => {
    expect(
      arena
        .gw()
        .logs()
        .filter((l) => /answered 500/.test(l.msg)),
    ).toEqual([]);
  });
});
