/**
 * The transport handed to irc-framework (tls-transport.ts): it covers every transport member
 * irc-framework's connection.js uses (this fails when an irc-framework update starts using
 * another one), and an irc-framework client registers through it with a real ngircd on loopback,
 * over plain TCP and over TLS trusting the test CA.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Client, type IrcMessageEvent } from 'irc-framework';
import { afterEach, describe, expect, it } from 'vitest';
import { useIrcServer } from '../../test/support/irc.js';
import { waitFor } from '../../test/support/net.js';
import { CaTlsTransport } from './tls-transport.js';

const require = createRequire(import.meta.url);

describe('CaTlsTransport (irc-framework transport option)', () => {
  // One ngircd for the file, with a plain and an implicit-TLS port and the test CA.
  const irc = useIrcServer({ tls: true });
  const clients: Client[] = [];
  afterEach(() => {
    for (const c of clients.splice(0)) c.quit('bye');
  });

  it("implements every transport member irc-framework's connection.js calls", () => {
    const source = readFileSync(require.resolve('irc-framework/src/connection.js'), 'utf8');
    const methods = new Set([...source.matchAll(/\btransport\.([A-Za-z_]\w*)\s*\(/g)].map((m) => m[1]!));
    const events = new Set([...source.matchAll(/\btransport\.on\('([^']+)'/g)].map((m) => m[1]!));
    // The EventEmitter members are EventEmitter's own; the rest must be ours.
    const ours = new Set(Object.getOwnPropertyNames(CaTlsTransport.prototype));
    const missing = [...methods].filter((m) => !ours.has(m) && !['on', 'removeAllListeners'].includes(m));
    expect(missing).toEqual([]);
    expect([...methods].sort()).toEqual(
      ['close', 'connect', 'disposeSocket', 'on', 'removeAllListeners', 'setEncoding', 'writeLine'].sort(),
    );
    // Events we emit: open, line, close, debug; `extra` (identd socket pairs) is optional.
    expect([...events].sort()).toEqual(['close', 'debug', 'extra', 'line', 'open']);
  });

  async function connect(port: number, tls: boolean, ca?: string): Promise<Client> {
    const client = new Client();
    clients.push(client);
    const registered = new Promise<void>((resolve, reject) => {
      client.once('registered', () => resolve());
      client.once('close', () => reject(new Error('closed before registering')));
    });
    client.connect({
      host: '127.0.0.1',
      port,
      nick: 'Trans',
      username: 'trans',
      gecos: 'transport test',
      tls,
      rejectUnauthorized: true,
      ...(ca ? { ca } : {}),
      transport: CaTlsTransport,
      auto_reconnect: false,
      version: null,
    });
    await registered;
    return client;
  }

  it('carries lines both ways over plain TCP', async () => {
    const client = await connect(irc.server.port, false);
    const dave = await irc.user('Dave');
    const heard: string[] = [];
    client.on('privmsg', (e: IrcMessageEvent) => heard.push(e.message));
    dave.client.say('Trans', 'hello über');
    client.say('Dave', 'back at you');
    await waitFor(() => heard.length > 0 && dave.lines.length > 0, 5000, 'both lines');
    expect(heard).toEqual(['hello über']);
    expect(dave.lines[0]!.message).toBe('back at you');
  });

  it('verifies the server certificate against server.ca over TLS', async () => {
    const ca = readFileSync(irc.certs.ca.certPath, 'utf8');
    const client = await connect(irc.server.tlsPort!, true, ca);
    expect(client.connection.connected).toBe(true);
    // Without the CA the handshake fails and the client closes without registering.
    await expect(connect(irc.server.tlsPort!, true)).rejects.toThrow(/closed before registering/);
  });
});
