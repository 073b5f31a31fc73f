/**
 * The well-behaved clients the hostile-input suite runs after every case (issue 13: "the gateway
 * still serving a well-behaved client at the end of each case"), one per listener, each end to
 * end: a page load, a WebSocket message between two signed-in users, a mail that reaches a hub
 * listener as Message/CPIM, and an IMTP send that a listening IMTP client receives.
 */
import { SignJWT } from 'jose';
import { createTransport } from 'nodemailer';
import { expect } from 'vitest';
import { connectHub, type HubClient } from '../../src/hub/client.js';
import type { CommandFrame } from '../../src/hub/frame/index.js';
import type { Answer } from '../../src/protocol/index.js';
import { HMAC_SECRET, HUB_DOMAIN, MAIL_DOMAIN, PASSWORDS, type GatewayProcess } from './hostile-gateway.js';
import { h, OK, sendText } from './hub-calls.js';
import { waitFor } from './net.js';
import { signIn } from './websocket.js';

let seq = 0;
const marker = (what: string): string => `${what}-${process.pid}-${++seq}`;

/** An HS256 token for web user `sub`, signed as docs/adapters/web-chat.md "Tokens" shows. */
export function webToken(sub: string, expiresIn = '1h'): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setAudience('cpim-gateway')
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(HMAC_SECRET));
}

export const wsUrl = (gw: GatewayProcess): string => `ws://127.0.0.1:${gw.ports.http}/ws`;

/** GET / → 200 and the page. */
export async function pageServed(gw: GatewayProcess): Promise<void> {
  const r = await fetch(`http://127.0.0.1:${gw.ports.http}/`, { headers: { connection: 'close' } });
  expect(r.status).toBe(200);
  expect(await r.text()).toContain('<html');
}

/** Two web users sign in; one writes to the other, who receives it, and the writer gets `ok`. */
export async function webChatServed(gw: GatewayProcess): Promise<void> {
  const [alice, bob] = await Promise.all([
    webToken('alice').then((t) => signIn(wsUrl(gw), t)),
    webToken('bob').then((t) => signIn(wsUrl(gw), t)),
  ]);
  try {
    const text = marker('web');
    const result = await alice.request({ type: 'send', to: 'bob', text });
    expect(result).toMatchObject({ type: 'result', status: 'ok' });
    await bob.waitFor((f) => f.type === 'message' && f.text === text);
  } finally {
    alice.close();
    bob.close();
  }
}

/** `user` logged in with PLAIN on the protocol's listener. */
export function hubLogin(
  gw: GatewayProcess,
  user: keyof typeof PASSWORDS,
  protocol: 'imtp' | 'pitp',
  onCommand?: (c: CommandFrame) => Answer | PromiseLike<Answer>,
): Promise<HubClient> {
  return connectHub({
    host: '127.0.0.1',
    port: gw.ports[protocol],
    protocol,
    sasl: { mechanism: 'PLAIN', user, password: PASSWORDS[user] },
    ...(onCommand === undefined ? {} : { onCommand }),
  });
}

/** Bob listens on his IMTP inbox; `act` makes something arrive; resolves with what arrived. */
async function bobReceives(
  gw: GatewayProcess,
  act: () => Promise<void>,
  match: (c: CommandFrame) => boolean,
): Promise<CommandFrame> {
  const got: CommandFrame[] = [];
  const bob = await hubLogin(gw, 'bob', 'imtp', (c) => {
    got.push(c);
    return OK;
  });
  try {
    const l = await bob.command('listen', [['Inbox', `im:bob@${HUB_DOMAIN}`]]);
    expect(l.status, h(l.headers, 'Error-Type')).toBe('ok');
    await act();
    return await waitFor(() => got.find(match), 3000, 'the message at bob');
  } finally {
    await bob.close();
  }
}

/** Alice's IMTP send reaches bob's IMTP listen, and a PITP login and fetch are answered. */
export async function hubServed(gw: GatewayProcess): Promise<void> {
  const text = marker('imtp');
  await bobReceives(
    gw,
    async () => {
      const alice = await hubLogin(gw, 'alice', 'imtp');
      try {
        const r = await sendText(alice, `im:alice@${HUB_DOMAIN}`, `im:bob@${HUB_DOMAIN}`, text);
        expect(r.status, h(r.headers, 'Error-Type')).toBe('ok');
      } finally {
        await alice.close();
      }
    },
    (c) => c.payload !== undefined && Buffer.from(c.payload).toString() === text,
  );
  const pitp = await hubLogin(gw, 'alice', 'pitp');
  try {
    const r = await pitp.command('fetch', [
      ['Presentity', `pres:alice@${HUB_DOMAIN}`],
      ['Watcher', `pres:alice@${HUB_DOMAIN}`],
    ]);
    // Answered at all is what matters here; an unknown store is an answer too.
    expect(['ok', 'error']).toContain(r.status);
  } finally {
    await pitp.close();
  }
}

/** A real SMTP transaction (nodemailer) to bob@mail domain reaches bob's hub listen as Message/CPIM. */
export function mailServed(ca?: string): (gw: GatewayProcess) => Promise<void> {
  return async (gw) => {
    const text = marker('mail');
    const cmd = await bobReceives(
      gw,
      async () => {
        const t = createTransport({
          host: '127.0.0.1',
          port: gw.ports.smtp,
          secure: false,
          ...(ca === undefined ? { ignoreTLS: true } : { tls: { ca, servername: 'localhost' } }),
        });
        try {
          await t.sendMail({
            from: 'carol@example.org',
            to: `bob@${MAIL_DOMAIN}`,
            subject: 'still there?',
            text,
          });
        } finally {
          t.close();
        }
      },
      (c) => c.payload !== undefined && Buffer.from(c.payload).toString().includes(text),
    );
    expect(h(cmd.headers, 'Content-Type') ?? '').toMatch(/^message\/cpim/i);
  };
}
