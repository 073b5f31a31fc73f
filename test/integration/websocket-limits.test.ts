/**
 * The web chat's limits and HTTP surface against a real gateway: frame size, message and frame
 * rates, a client that never reads, heartbeats, the Origin allow-list, connection limits, and
 * the page, /health and /metrics endpoints.
 */
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { TOKENS, connect, signIn, useWebGateways } from '../support/websocket.js';

function refused(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => reject(new Error('the connection was accepted')));
    ws.on('error', () => undefined);
  });
}

describe('websocket limits', () => {
  const startWeb = useWebGateways();

  it('closes with 1009 on a frame over maxFrameBytes', async () => {
    const web = await startWeb({ limits: { maxFrameBytes: 1024 } });
    const c = await signIn(web.ws, TOKENS.alice);
    c.send({ type: 'send', id: 'big', to: 'bob', text: 'x'.repeat(2000) });
    expect((await c.closed).code).toBe(1009);
  });

  it('answers sends over the message rate with quota and other frames over the frame rate with an error', async () => {
    const web = await startWeb({
      limits: { messagesPerSecond: 1, messageBurst: 3, framesPerSecond: 1, frameBurst: 12 },
    });
    const alice = await signIn(web.ws, TOKENS.alice);
    await signIn(web.ws, TOKENS.bob);
    for (let i = 0; i < 5; i++) alice.send({ type: 'send', id: `m${i}`, to: 'bob', text: `n${i}` });
    const results = await Promise.all(
      [0, 1, 2, 3, 4].map((i) => alice.waitFor((f) => f.type === 'result' && f.id === `m${i}`)),
    );
    expect(results.map((r) => (r.type === 'result' ? (r.errorType ?? r.status) : ''))).toEqual([
      'ok',
      'ok',
      'ok',
      'quota',
      'quota',
    ]);
    for (let i = 0; i < 10; i++) alice.send({ type: 'join', id: `j${i}`, room: 'lobby' });
    const limited = await alice.waitFor((f) => f.type === 'error' && f.code === 'rate-limited');
    expect(limited).toMatchObject({ message: 'at most 1 frames per second' });
    expect(alice.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('closes a client that never reads once its queued output passes maxBufferedBytes', async () => {
    const web = await startWeb({
      limits: { maxBufferedBytes: 64 * 1024, messagesPerSecond: 1000, messageBurst: 1000 },
      deliveryTimeoutMs: 200,
    });
    const sleeper = await signIn(web.ws, TOKENS.bob, false);
    // Stop reading: the kernel buffers fill, then the server's queue grows.
    sleeper.ws.pause();
    const alice = await signIn(web.ws, TOKENS.alice);
    const text = 'z'.repeat(15_000);
    const answers: Promise<unknown>[] = [];
    // bob's entry goes once his leaving is published, hence the `?.`.
    const bobSessions = () => web.adapter.chat.users.get('bob')?.sessions ?? new Set<never>();
    const bobOpen = () => [...bobSessions()].some((s) => s.isOpen);
    for (let i = 0; i < 600 && bobOpen(); i++) {
      answers.push(alice.request({ type: 'send', to: 'bob', text }, 10_000));
      if (i % 50 === 49) await new Promise((r) => setTimeout(r, 20));
    }
    await Promise.all(answers);
    // Closed with 4008; the close frame waits behind unread output, so the socket is cut 1 s later.
    for (let i = 0; i < 100 && bobSessions().size > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(bobSessions().size).toBe(0);
    const metrics = await (await fetch(`${web.http}/metrics`)).text();
    expect(metrics).toContain('cpim_ws_closes_total{adapter="websocket",code="4008"} 1');
    // The sender was told: once bob was gone, sends to him are kept for him (issue 15).
    expect(await alice.request({ type: 'send', to: 'bob', text: 'x' })).toMatchObject({
      status: 'ok',
      stored: 'offline',
    });
  });

  it('drops a connection that stops answering pings, and keeps one that answers', async () => {
    const web = await startWeb({ heartbeatMs: 100 });
    const live = await signIn(web.ws, TOKENS.alice);
    const ws = new WebSocket(web.ws, { autoPong: false });
    const dead = await new Promise<number>((resolve) => {
      ws.on('close', (code) => resolve(code));
    });
    expect(dead).toBe(1006);
    await new Promise((r) => setTimeout(r, 250));
    expect(live.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('refuses other origins, and accepts its own, listed and absent ones', async () => {
    const web = await startWeb({ http: { port: 0, allowedOrigins: ['https://chat.example.org'] } });
    const host = new URL(web.http).host;
    expect(await refused(web.ws, { Origin: 'https://evil.example' })).toBe(403);
    await connect(web.ws, { headers: { Origin: 'https://chat.example.org' } });
    await connect(web.ws, { headers: { Origin: `http://${host}` } });
    await connect(web.ws);
    expect(await refused(web.ws.replace('/ws', '/other'), {})).toBe(404);
  });

  it('limits connections overall and per user', async () => {
    const web = await startWeb({ limits: { maxConnections: 3, maxConnectionsPerUser: 2 } });
    await signIn(web.ws, TOKENS.alice);
    await signIn(web.ws, TOKENS.alice);
    const third = await connect(web.ws);
    third.send({ type: 'auth', v: 1, token: TOKENS.alice });
    expect(await third.closed).toEqual({ code: 4004, reason: 'too many connections for this user' });
    await new Promise((r) => setTimeout(r, 50));
    await connect(web.ws);
    expect(await refused(web.ws, {})).toBe(503);
  });

  it('serves the page, /health and /metrics on the same port', async () => {
    const web = await startWeb();
    const page = await fetch(`${web.http}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("connect-src 'self'");
    const html = await page.text();
    expect(html).toContain('<meta name="cpim-ws-path" content="/ws" />');
    const js = await fetch(`${web.http}/app.js`);
    expect(js.headers.get('content-type')).toContain('text/javascript');
    expect(await js.text()).toContain('cpim-ws-path');
    expect((await fetch(`${web.http}/style.css`)).status).toBe(200);
    expect((await fetch(`${web.http}/nope`)).status).toBe(404);
    expect((await fetch(`${web.http}/`, { method: 'POST' })).status).toBe(405);

    await signIn(web.ws, TOKENS.alice);
    const health = await fetch(`${web.http}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({
      status: 'ok',
      adapters: [{ id: 'websocket', type: 'websocket', status: 'online' }],
      websocket: { connections: 1, users: 1 },
    });
    const metrics = await (await fetch(`${web.http}/metrics`)).text();
    // Issue 14: the adapter's metrics live in the gateway's registry, with an `adapter` label.
    expect(metrics).toContain('cpim_adapter_connections{adapter="websocket",type="websocket"} 1');
    expect(metrics).toContain('cpim_ws_frames_received_total{adapter="websocket",type="auth"} 1');
    expect(metrics).toContain('cpim_adapter_up{adapter="websocket",type="websocket",status="online"} 1');
  });
});
