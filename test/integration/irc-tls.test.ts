/**
 * The IRC adapter over TLS against a real ngircd with SSL (its [SSL] section, certificates from
 * test/support/certs.ts): with verification on and the test CA as `server.ca` it connects through
 * ngircd's SSL port and carries a room's lines both ways; with a CA that
 * did not sign the server's certificate it never registers, says why in its log, and reports
 * itself `offline` with that reason.
 */
import { describe, expect, it } from 'vitest';
import type { TestCerts } from '../support/certs.js';
import { useIrcServer } from '../support/irc.js';
import { waitFor } from '../support/net.js';
import { listenAs, sendText } from '../support/hub-calls.js';

describe('IRC adapter over TLS (ngircd with SSL)', () => {
  const irc = useIrcServer({ tls: true });

  async function setup(ca: (c: TestCerts) => string, extra: Record<string, unknown> = {}) {
    return irc.gateway({
      logLevel: 'debug',
      irc: {
        server: { host: '127.0.0.1', port: irc.server.tlsPort!, tls: true, ca: ca(irc.certs) },
        ...extra,
      },
    });
  }

  it('connects with TLS and verification on, trusting the test CA, and bridges a channel', async () => {
    const gw = await setup((c) => c.ca.certPath);
    const hosted = gw.gateway.adapters[0]!;
    expect(hosted.status).toBe('online');

    // The adapter's only way in is ngircd's SSL port (`Ports` under [SSL]): a plain user on the
    // plain port finds the gateway's nick registered there.
    const dave = await irc.user('Dave');
    const whois = await dave.ask('WHOIS gwbot', / 3\d\d Dave gwbot /, / 318 /);
    expect(whois.some((l) => / 311 Dave gwbot ~cpimgw 127\.0\.0\.1 /.test(l))).toBe(true);

    // The room's lines cross the TLS link both ways.
    await dave.join('#dev');
    const got = await listenAs(gw, 'carol');
    const carol = await gw.client('carol');
    const r = await sendText(carol, 'im:carol@gw.test', 'im:dev@gw.test', 'hello over TLS');
    expect(r.status).toBe('ok');
    const line = await waitFor(() => dave.lines.find((l) => l.target === '#dev'), 5000, 'line in #dev');
    expect(line.message).toBe('<carol> hello over TLS');
    dave.client.say('#dev', 'back over TLS');
    const back = await waitFor(() => got[0], 5000, 'line to carol');
    expect(Buffer.from(back.payload!).toString('utf8')).toContain('back over TLS');
  });

  it('does not connect when the CA it trusts did not sign the server’s certificate', async () => {
    const gw = await setup((c) => c.otherCa.certPath, { startTimeoutMs: 1500 });
    const hosted = gw.gateway.adapters[0]!;
    // start() gave up waiting; the adapter keeps retrying in the background, never online.
    expect(['offline', 'connecting']).toContain(hosted.status);
    const logs = () => gw.logs().filter((l) => l['adapter'] === 'irc-test');
    const failure = await waitFor(
      () => logs().find((l) => l['msg'] === 'irc connection failed'),
      5000,
      'a log line naming the TLS failure',
    );
    expect(failure['level']).toBe(40); // warn
    expect(String(failure['cause'])).toMatch(/certificate/i);
    expect(String(failure['code'])).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    await waitFor(() => hosted.status === 'offline' && hosted, 3000, 'status offline');
    expect(hosted.cause).toMatch(/certificate/i);
    expect(logs().some((l) => l['status'] === 'online')).toBe(false);

    // The server never saw the gateway register.
    const dave = await irc.user('Dave');
    const [ison] = await dave.ask('ISON gwbot', / 303 /, / 303 /);
    expect(ison).toMatch(/ 303 Dave :\s*$/);
  });
});
