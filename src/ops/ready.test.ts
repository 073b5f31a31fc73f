import { describe, expect, it } from 'vitest';
import { readiness, type ReadyInput } from './ready.js';

const idle = { state: 'idle', failures: 0 } as const;
const base: ReadyInput = {
  gateway: 'running',
  listeners: [
    { name: 'hub.imtp', listening: true },
    { name: 'hub.pitp', listening: true },
  ],
  adapters: [{ id: 'web', type: 'websocket', status: 'online' }],
  peers: [{ peer: 'partner.test', imtp: idle, pitp: idle }],
};

describe('readiness', () => {
  it('is ready when the gateway runs, listeners listen, adapters are online and peers idle', () => {
    const r = readiness(base);
    expect(r.ready).toBe(true);
    expect(r.components.map((c) => [c.name, c.ready, c.status])).toEqual([
      ['gateway', true, 'running'],
      ['hub.imtp', true, 'listening'],
      ['hub.pitp', true, 'listening'],
      ['adapter:web', true, 'online'],
      ['peer:partner.test', true, 'idle'],
    ]);
  });

  it('is not ready while starting or stopping', () => {
    for (const gateway of ['new', 'starting', 'stopping', 'stopped'] as const)
      expect(readiness({ ...base, gateway }).ready).toBe(false);
  });

  it('is not ready with a listener down', () => {
    const r = readiness({ ...base, listeners: [{ name: 'hub.imtp', listening: false }] });
    expect(r.ready).toBe(false);
    expect(r.components.find((c) => c.name === 'hub.imtp')).toMatchObject({
      ready: false,
      status: 'not listening',
    });
  });

  it('wants every adapter online: connecting, degraded and offline are not ready, with the cause', () => {
    for (const status of ['connecting', 'degraded', 'offline'] as const) {
      const r = readiness({
        ...base,
        adapters: [
          { id: 'web', type: 'websocket', status: 'online' },
          { id: 'irc', type: 'irc', status, cause: 'disconnected; reconnecting' },
        ],
      });
      expect(r.ready).toBe(false);
      expect(r.components.find((c) => c.name === 'adapter:irc')).toEqual({
        name: 'adapter:irc',
        kind: 'adapter',
        type: 'irc',
        ready: false,
        status,
        cause: 'disconnected; reconnecting',
      });
    }
  });

  it('takes a peer link that is up, connecting or never used as ready', () => {
    for (const state of ['up', 'connecting', 'idle'] as const) {
      const link = { state, failures: 0 };
      expect(readiness({ ...base, peers: [{ peer: 'p', imtp: link, pitp: idle }] }).ready).toBe(true);
    }
  });

  it('takes a peer link whose last attempt failed as not ready, in backoff or idle again', () => {
    for (const state of ['down', 'idle', 'connecting'] as const) {
      const r = readiness({ ...base, peers: [{ peer: 'p', imtp: idle, pitp: { state, failures: 2 } }] });
      expect(r.ready).toBe(false);
      expect(r.components.at(-1)).toMatchObject({
        name: 'peer:p',
        ready: false,
        status: state,
        cause: '2 failed connection attempt(s) since the last success',
      });
    }
    const stopped = readiness({
      ...base,
      peers: [{ peer: 'p', imtp: { state: 'stopped', failures: 0 }, pitp: idle }],
    });
    expect(stopped.ready).toBe(false);
  });
});
