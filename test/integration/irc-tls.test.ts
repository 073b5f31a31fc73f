/**
 * The IRC adapter over TLS against a real ngircd with SSL (its [SSL] section, certificates from
 * test/support/certs.ts): with verification on and the test CA as `server.ca` it connects through
 * ngircd's SSL port and carries a room's lines both ways; with a CA that
 * did not sign the server's certificate it never registers, says why in its log, and reports
 * itself `offline` with that reason.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ircAdapter } from '../../adapters/irc/index.js';
import type { CommandFrame } from '../../src/hub/frame/index.js';
import { makeTestCerts, type TestCerts } from '../support/certs.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { ircAdapterConfig, ircUser, startNgircd, waitFor, type IrcUser, type Ngircd } from './irc-harness.js';

describe('IRC adapter over TLS (ngircd with SSL)', () => {
  let certs: TestCerts | undefined;
  let server: Ngircd | undefined;
  let gw: TestGateway | undefined;
  const users: IrcUser[] = [];
  afterEach(async () => {
    for (const u of users.splice(0)) await u.quit();
    await gw?.stop();
    await server?.cleanup();
    await certs?.cleanup();
    gw = server = certs = undefined;
  });

  async function setup(ca: (c: TestCerts) => string, extra: Record<string, unknown> = {}) {
    certs = await makeTestCerts();
    server = await startNgircd(undefined, undefined, {
      certPath: certs.server.certPath,
      keyPath: certs.server.keyPath,
    });
    gw = await startTestGateway({
      adapterDefinitions: [ircAdapter as never],
      logLevel: 'debug',
      config: {
        adapters: [
          ircAdapterConfig(server.port, {
            server: { host: '127.0.0.1', port: server.tlsPort!, tls: true, ca: ca(certs) },
            channels: [{ name: '#dev', room: 'im:dev@gw.test' }],
            ...extra,
          }),
        ],
        rooms: [
          { name: 'dev', address: 'im:dev@gw.test', members: ['im:%23dev@irc.test', 'im:carol@gw.test'] },
        ],
      },
    });
    return { certs, server, gw };
  }

  it('connects with TLS and verification on, trusting the test CA, and bridges a channel', async () => {
    const { server, gw } = await setup((c) => c.ca.certPath);
    const hosted = gw.gateway.adapters[0]!;
    expect(hosted.status).toBe('online');

    // The adapter's only way in is ngircd's SSL port (`Ports` under [SSL]): a plain user on the
    // plain port finds the gateway's nick registered there.
    const dave = await ircUser(server.port, 'Dave');
    users.push(dave);
    const whois: string[] = [];
    dave.client.on('raw', (e: { line: string; from_server: boolean }) => {
      if (e.from_server && / 3\d\d Dave gwbot /.test(e.line)) whois.push(e.line);
    });
    dave.client.raw('WHOIS gwbot');
    await waitFor(() => whois.some((l) => / 318 /.test(l)), 5000, 'end of WHOIS');
    expect(whois.some((l) => / 311 Dave gwbot ~cpimgw 127\.0\.0\.1 /.test(l))).toBe(true);

    // The room's lines cross the TLS link both ways.
    await dave.join('#dev');
    const got: CommandFrame[] = [];
    const carolListen = await gw.client('carol', 'imtp', (cmd) => {
      got.push(cmd);
      return { status: 'ok', headers: [] };
    });
    expect((await carolListen.command('listen', [['Inbox', 'im:carol@gw.test']])).status).toBe('ok');
    const carol = await gw.client('carol');
    const r = await carol.command(
      'send',
      [
        ['Sender', 'im:carol@gw.test'],
        ['Inbox', 'im:dev@gw.test'],
      ],
      Buffer.from('hello over TLS'),
    );
    expect(r.status).toBe('ok');
    const line = await waitFor(() => dave.lines.find((l) => l.target === '#dev'), 5000, 'line in #dev');
    expect(line.message).toBe('<carol> hello over TLS');
    dave.client.say('#dev', 'back over TLS');
    const back = await waitFor(() => got[0], 5000, 'line to carol');
    expect(Buffer.from(back.payload!).toString('utf8')).toContain('back over TLS');
  });

  it('does not connect when the CA it trusts did not sign the server’s certificate', async () => {
    const { server, gw } = await setup((c) => c.otherCa.certPath, { startTimeoutMs: 1500 });
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
    const dave = await ircUser(server.port, 'Dave');
    users.push(dave);
    const ison = new Promise<string>((resolve) =>
      dave.client.on('raw', (e: { line: string; from_server: boolean }) => {
        if (e.from_server && / 303 /.test(e.line)) resolve(e.line);
      }),
    );
    dave.client.raw('ISON gwbot');
    expect(await ison).toMatch(/ 303 Dave :\s*$/);
  });
});
