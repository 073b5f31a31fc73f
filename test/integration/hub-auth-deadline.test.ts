/**
 * The hub's authentication deadline (`hub.limits.authTimeoutMs`, issue 13 defect 4): where the
 * application allows nothing before authentication (the gateway's router), a connection that
 * has not finished SASL by the deadline is closed with a warn line, however many (refused)
 * commands it keeps sending: refused commands never reach Connection.onCommand, so they do not
 * re-arm the timer. Where the application allows unauthenticated use, the commands it runs keep
 * the connection open (hub-lifecycle.test.ts covers the silent case).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { HubApplication } from '../../src/hub/server.js';
import { captureLog, Cleanup, rawConnect, sleep, startHub, testHubConfig } from '../support/hub-tcp.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const DEADLINE_MS = 400;

/** Sends a command every 80 ms until the socket ends; how long it stayed open. */
async function chatter(port: number): Promise<{ openMs: number; text: string }> {
  const raw = await rawConnect(cleanup, port);
  const t0 = Date.now();
  for (let i = 1; !raw.ended() && Date.now() - t0 < 3 * DEADLINE_MS; i++) {
    await raw.write(`>${i} listen\r\nInbox: im:alice@hub.example.net\r\n\r\n`);
    await sleep(80);
  }
  return { openMs: Date.now() - t0, text: raw.text() };
}

function hubWith(application: HubApplication) {
  const captured = captureLog();
  const config = testHubConfig({ limits: { authTimeoutMs: DEADLINE_MS } });
  return startHub(cleanup, { application, log: captured.log, config }).then((h) => ({ ...h, captured }));
}

describe('hub authentication deadline', () => {
  it('closes an unauthenticated connection at the deadline although it keeps sending commands', async () => {
    const h = await hubWith({ command: () => ({ status: 'ok', headers: [] }) });
    const r = await chatter(h.port);
    // Every command was refused before authentication, and the deadline was not extended.
    expect(r.text).toMatch(/<1 error \(listen\)/);
    expect(r.openMs).toBeLessThan(3 * DEADLINE_MS);
    const line = await h.captured.waitFor('hub authentication timeout, connection closed');
    expect(line).toMatchObject({ level: 40, timeoutMs: DEADLINE_MS });
    await h.captured.waitFor('hub connection closed', { code: 'auth-timeout' });
  });

  it('where unauthenticated use is allowed, commands keep the connection open', async () => {
    const h = await hubWith({
      allowUnauthenticated: () => true,
      command: () => ({ status: 'ok', headers: [] }),
    });
    const r = await chatter(h.port);
    expect(r.text).toMatch(/<1 ok \(listen\)/);
    expect(r.openMs).toBeGreaterThanOrEqual(3 * DEADLINE_MS);
    expect(h.captured.find('hub authentication timeout, connection closed')).toBeUndefined();
  });
});
