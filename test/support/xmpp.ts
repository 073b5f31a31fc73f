/**
 * The XMPP fixture: one real Prosody per test file (prosody.ts; started in beforeAll, stopped by
 * PID in afterAll), gateways with the XMPP adapter connected to it as the component
 * `xmpp-gw.localhost`, and XMPP users logged in with @xmpp/client 0.14 (0.13 fails SCRAM against
 * Prosody 0.12: docs/testing.md). Users and gateways stop after each test.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { client, xml, type Client } from '@xmpp/client';
import type { Element } from '@xmpp/component';
import { xmppAdapter } from '../../adapters/xmpp/index.js';
import type { AdapterDefinition } from '../../src/adapter.js';
import { startTestGateway, type TestGateway } from './gateway.js';
import { waitFor } from './net.js';
import { startEjabberd } from './ejabberd.js';
import { startProsody, type Prosody } from './prosody.js';

export { xml };
export type { Prosody } from './prosody.js';

/** What the fixture needs of an XMPP server (Prosody or ejabberd). */
export interface XmppServer {
  readonly domain: string;
  readonly componentDomain: string;
  readonly componentSecret: string;
  readonly c2sPort: number;
  readonly componentPort: number;
  alive(): boolean;
  stop(): Promise<void>;
}

/** Test accounts on the Prosody VirtualHost `localhost` (password = name + "pass"). */
export const XMPP_USERS = ['juliet', 'romeo', 'nurse'] as const;

/** The adapter's entry in the gateway config, for the test server. */
export function xmppAdapterConfig(
  p: XmppServer,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    type: 'xmpp',
    id: 'xmpp-test',
    componentDomain: p.componentDomain,
    userDomains: [p.domain],
    server: { host: '127.0.0.1', port: p.componentPort, secret: p.componentSecret },
    reconnect: { minDelayMs: 100, maxDelayMs: 1000, jitter: 0.2 },
    startTimeoutMs: 5000,
    receipts: { waitMs: 2000 },
    ...extra,
  };
}

export interface XmppUser {
  readonly client: Client;
  /** The full JID the server bound. */
  readonly jid: string;
  /** Every stanza received, in order. */
  readonly stanzas: Element[];
  /** Message stanzas received with a body. */
  messages(): Element[];
  /** Sends a chat message with a receipt request; returns its id. */
  say(to: string, body: string, extra?: Record<string, string>): Promise<string>;
  stop(): Promise<void>;
}

let counter = 0;

export async function xmppUser(p: XmppServer, name: string): Promise<XmppUser> {
  const c = client({
    service: `xmpp://127.0.0.1:${p.c2sPort}`,
    domain: p.domain,
    username: name,
    password: `${name}pass`,
    resource: `test${++counter}`,
  });
  c.reconnect.stop();
  const stanzas: Element[] = [];
  c.on('stanza', (s: Element) => stanzas.push(s));
  c.on('error', () => undefined);
  await c.start();
  // As real clients do (RFC 6121 §2.2): Prosody sends subscription results (`subscribed`) and
  // roster pushes only to resources that asked for the roster ("interested" resources).
  await c.iqCaller.request(xml('iq', { type: 'get' }, xml('query', { xmlns: 'jabber:iq:roster' })));
  await c.send(xml('presence'));
  // RFC 6121 §4.2.2: the server reflects the initial presence to the user once it has processed
  // it; before that a message to the bare JID finds no available resource (and with no offline
  // storage comes back as an error).
  const jid = c.jid!.toString();
  await waitFor(() => stanzas.some((s) => s.is('presence') && s.attrs.from === jid), 5000, 'own presence');
  return {
    client: c,
    jid,
    stanzas,
    messages: () => stanzas.filter((s) => s.is('message') && s.getChild('body') !== undefined),
    async say(to, body, extra = {}) {
      const id = `m${++counter}`;
      await c.send(
        xml(
          'message',
          { to, type: 'chat', id, ...extra },
          xml('body', {}, body),
          xml('request', { xmlns: 'urn:xmpp:receipts' }),
        ),
      );
      return id;
    },
    async stop() {
      if (c.status !== 'offline') await c.stop().catch(() => undefined);
    },
  };
}

/** The first stanza a user got that `match` accepts (waits up to 5 s). */
export function received(u: XmppUser, match: (s: Element) => boolean, what = 'a stanza'): Promise<Element> {
  return waitFor(() => u.stanzas.find(match), 5000, what);
}

/** The user's client answers receipt requests (XEP-0184 §5.2), as Conversations or Dino do. */
export function answerReceipts(u: XmppUser): void {
  u.client.on('stanza', (s) => {
    const el = s as Element;
    if (el.is('message') && el.getChild('request', 'urn:xmpp:receipts') && el.attrs.id)
      void u.client.send(
        xml(
          'message',
          { to: el.attrs.from },
          xml('received', { xmlns: 'urn:xmpp:receipts', id: el.attrs.id }),
        ),
      );
  });
}

export interface XmppSuite<S extends XmppServer = Prosody> {
  readonly server: S;
  /** A gateway with the XMPP adapter (and `adapters` after it); stopped after the test. */
  gateway(o?: {
    xmpp?: Record<string, unknown>;
    adapters?: readonly Record<string, unknown>[];
    adapterDefinitions?: readonly AdapterDefinition<never>[];
    config?: Record<string, unknown>;
  }): Promise<TestGateway>;
  /** A logged-in XMPP user (available presence sent); stops after the test. */
  user(name: (typeof XMPP_USERS)[number]): Promise<XmppUser>;
}

const accounts = () => Object.fromEntries(XMPP_USERS.map((u) => [u, `${u}pass`]));

/** Registers the hooks for a file against a real Prosody (restarted after a test that killed it). */
export function useProsody(): XmppSuite {
  return useXmppServer(
    () => startProsody({ accounts: accounts() }),
    (p) => p.start(),
  );
}

/** The same against a real ejabberd (ejabberd.ts). */
export function useEjabberd(): XmppSuite<XmppServer> {
  return useXmppServer(() => startEjabberd({ accounts: accounts() }));
}

function useXmppServer<S extends XmppServer>(
  start: () => Promise<S>,
  restart?: (s: S) => Promise<void>,
): XmppSuite<S> {
  let server: S | undefined;
  const users: XmppUser[] = [];
  const gateways: TestGateway[] = [];
  beforeAll(async () => {
    server = await start();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });
  afterEach(async () => {
    for (const u of users.splice(0)) await u.stop();
    for (const g of gateways.splice(0)) await g.stop();
    if (server !== undefined && !server.alive() && restart !== undefined) await restart(server);
  });
  return {
    get server() {
      return server!;
    },
    async gateway(g = {}) {
      const gw = await startTestGateway({
        adapterDefinitions: [xmppAdapter as never, ...(g.adapterDefinitions ?? [])],
        logLevel: 'warn',
        config: { adapters: [xmppAdapterConfig(server!, g.xmpp), ...(g.adapters ?? [])], ...g.config },
      });
      gateways.push(gw);
      return gw;
    },
    async user(name) {
      const u = await xmppUser(server!, name);
      users.push(u);
      return u;
    },
  };
}
