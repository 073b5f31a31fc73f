/**
 * Hostile input on the component stream itself (RFC 6120 §11.1, §4.9): a real
 * TCP listener in place of the XMPP server's component port does the XEP-0114 handshake and then
 * writes what a broken or hostile server could, so that the adapter's own parser is what is
 * tested (a real Prosody refuses such input from its clients before it reaches the component:
 * xmpp-resilience.test.ts). A DTD with entities, malformed XML and an unknown entity end the
 * stream with the matching stream error, the adapter reconnects, and what comes next is served.
 */
import { createHash } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xmppAdapter } from '../../../adapters/xmpp/index.js';
import { startTestGateway, type TestGateway } from '../../support/gateway.js';
import { listenAs } from '../../support/hub-calls.js';
import { waitFor } from '../../support/net.js';
import { stopAfterEach } from '../../support/stop-after.js';

const DOMAIN = 'xmpp-gw.localhost';
const SECRET = 'stream-test-secret';
const PUPPET_CAROL = 'carol\\40gw.test@xmpp-gw.localhost';

/** One accepted component connection: what the adapter wrote, and a way to write to it. */
interface Conn {
  readonly socket: Socket;
  /** Everything the adapter wrote after the handshake. */
  text: string;
  closed: boolean;
}

/** A component port that accepts the adapter's handshake (XEP-0114 §3) and records each connection. */
function componentPort(): Promise<{ server: Server; port: number; conns: Conn[] }> {
  const conns: Conn[] = [];
  const server = createServer((socket) => {
    let buf = '';
    let state: 'header' | 'handshake' | 'open' = 'header';
    const conn: Conn = { socket, text: '', closed: false };
    socket.on('close', () => (conn.closed = true));
    socket.on('error', () => undefined);
    socket.on('data', (d) => {
      if (state === 'open') {
        conn.text += d.toString();
        return;
      }
      buf += d.toString();
      if (state === 'header' && buf.includes('<stream:stream')) {
        buf = '';
        state = 'handshake';
        socket.write(
          "<?xml version='1.0'?><stream:stream xmlns:stream='http://etherx.jabber.org/streams' " +
            `xmlns='jabber:component:accept' id='sid${conns.length}' from='${DOMAIN}'>`,
        );
      }
      const hs = /<handshake>([0-9a-f]+)<\/handshake>/.exec(buf);
      if (state === 'handshake' && hs !== null) {
        const want = createHash('sha1').update(`sid${conns.length}${SECRET}`).digest('hex');
        if (hs[1] !== want) {
          socket.destroy();
          return;
        }
        state = 'open';
        socket.write('<handshake/>');
        conns.push(conn);
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, port: (server.address() as AddressInfo).port, conns }),
    ),
  );
}

const message = (body: string, id: string) =>
  `<message from='juliet@localhost/balcony' to='${PUPPET_CAROL}' type='chat' id='${id}'><body>${body}</body></message>`;

describe('XMPP adapter: hostile component stream', () => {
  let port: { server: Server; port: number; conns: Conn[] };
  const gateways = stopAfterEach(startTestGateway);
  beforeAll(async () => {
    port = await componentPort();
  });
  afterAll(async () => {
    for (const c of port.conns) c.socket.destroy();
    await new Promise((r) => port.server.close(r));
  });

  async function gateway(): Promise<TestGateway> {
    return gateways({
      adapterDefinitions: [xmppAdapter as never],
      logLevel: 'warn',
      config: {
        adapters: [
          {
            type: 'xmpp',
            id: 'xmpp-test',
            componentDomain: DOMAIN,
            userDomains: ['localhost'],
            server: { host: '127.0.0.1', port: port.port, secret: SECRET },
            reconnect: { minDelayMs: 50, maxDelayMs: 200, jitter: 0 },
            limits: { maxStanzaBytes: 4096 },
            startTimeoutMs: 5000,
          },
        ],
      },
    });
  }

  /** The next connection after `n` (the adapter reconnected). */
  const connection = (n: number) => waitFor(() => port.conns[n], 5000, `connection ${n + 1}`);

  it('ends the stream on a DTD, malformed XML or an unknown entity, reconnects, and serves what follows', async () => {
    const gw = await gateway();
    const got = await listenAs(gw, 'carol');
    const start = port.conns.length - 1;
    const cases: [string, string][] = [
      // A DOCTYPE after the stream header is not well-formed XML; nothing in it is expanded.
      [
        `<!DOCTYPE x [<!ENTITY a "AAAAAAAA"><!ENTITY b "&a;&a;&a;&a;">]>${message('&b;', 'e1')}`,
        'not-well-formed',
      ],
      [`<!-- a comment -->${message('c', 'e2')}`, 'restricted-xml'],
      [message('&xxe;', 'e3'), 'not-well-formed'],
      [`<message><body>x</bodyy></message>`, 'not-well-formed'],
    ];
    for (const [i, [hostile, condition]] of cases.entries()) {
      const c = await connection(start + i);
      c.socket.write(hostile);
      await waitFor(() => c.closed || undefined, 5000, `the adapter to close connection ${start + i + 1}`);
      expect(c.text).toContain(`<${condition} xmlns="urn:ietf:params:xml:ns:xmpp-streams"/>`);
    }
    // Connected again: a message now is served as usual.
    const last = await connection(start + cases.length);
    last.socket.write(message('after all that', 'ok1'));
    const cmd = await waitFor(() => got[0], 5000, 'the message at carol');
    expect(
      Buffer.from(cmd.payload ?? [])
        .toString()
        .endsWith('after all that'),
    ).toBe(true);
    expect(got.some((g) => /AAAA|xxe/.test(Buffer.from(g.payload ?? []).toString()))).toBe(false);
  });

  it('answers an oversized stanza with policy-violation on the same stream and serves the next one', async () => {
    const gw = await gateway();
    const got = await listenAs(gw, 'carol');
    const c = await connection(port.conns.length - 1);
    c.socket.write(message('y'.repeat(10_000), 'big1') + message('small', 'small1'));
    await waitFor(() => got[0], 5000, 'the small message at carol');
    expect(got).toHaveLength(1);
    expect(
      Buffer.from(got[0]!.payload ?? [])
        .toString()
        .endsWith('small'),
    ).toBe(true);
    await waitFor(() => c.text.includes('id="big1"') || undefined, 5000, 'the error for big1');
    expect(c.text).toMatch(
      /<message [^>]*id="big1"[^>]*type="error"[^>]*>.*<policy-violation xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"\/>/,
    );
    expect(c.closed).toBe(false);
  });

  it('refuses senders of other domains, groupchat and names that are no puppet, each with its stanza error', async () => {
    const gw = await gateway();
    const got = await listenAs(gw, 'carol');
    const c = await connection(port.conns.length - 1);
    const stanza = (from: string, to: string, type: string, id: string) =>
      `<message from='${from}' to='${to}' type='${type}' id='${id}'><body>x</body></message>`;
    c.socket.write(
      stanza('eve@elsewhere.example/r', PUPPET_CAROL, 'chat', 'f1') +
        stanza('juliet@localhost/r', PUPPET_CAROL, 'groupchat', 'g1') +
        stanza('juliet@localhost/r', `room@${DOMAIN}`, 'chat', 'n1') +
        // An error stanza is never answered with an error (RFC 6120 §8.3.1).
        `<message from='juliet@localhost/r' to='${PUPPET_CAROL}' type='error' id='e1'/>`,
    );
    const condition = async (id: string) => {
      const m = await waitFor(
        () => new RegExp(`<message [^>]*id="${id}"[^>]*type="error"[^>]*>.*?</message>`).exec(c.text)?.[0],
        5000,
        `the error for ${id}`,
      );
      return /<([a-z-]+) xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"\/>/.exec(m)?.[1];
    };
    expect(await condition('f1')).toBe('forbidden');
    expect(await condition('g1')).toBe('bad-request');
    expect(await condition('n1')).toBe('item-not-found');
    expect(c.text).not.toContain('id="e1"');
    expect(got).toEqual([]);
  });
});
