/** ConnectionCounter.hold (issue 18): per-address counting released by one shared `close` listener. */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ConnectionCounter } from './connection-counter.js';

const fakeSocket = (remoteAddress: string | undefined): Socket =>
  Object.assign(new EventEmitter(), { remoteAddress }) as unknown as Socket;

describe('ConnectionCounter.hold', () => {
  it('refuses an address at its limit, counts IPv6 by /64, and frees a slot when a socket closes', () => {
    const slots = new ConnectionCounter(2);
    const a1 = fakeSocket('192.0.2.1');
    const a2 = fakeSocket('::ffff:192.0.2.1');
    expect(slots.hold(a1)).toBe(true);
    expect(slots.hold(a2)).toBe(true);
    // One listener function for every socket.
    expect(a1.listeners('close')).toEqual(a2.listeners('close'));
    expect(slots.hold(fakeSocket('192.0.2.1'))).toBe(false);
    expect(slots.hold(fakeSocket('192.0.2.2'))).toBe(true);
    expect(slots.hold(fakeSocket('2001:db8:1:2::1'))).toBe(true);
    expect(slots.hold(fakeSocket('2001:db8:1:2::2'))).toBe(true);
    expect(slots.hold(fakeSocket('2001:db8:1:2::3'))).toBe(false);
    expect(slots.count('192.0.2.1')).toBe(2);
    a1.emit('close', false);
    expect(slots.count('192.0.2.1')).toBe(1);
    expect(slots.hold(fakeSocket('192.0.2.1'))).toBe(true);
    a2.emit('close', false);
    expect(slots.count('192.0.2.1')).toBe(1);
  });

  it('counts a socket without an address under the empty key', () => {
    const slots = new ConnectionCounter(1);
    const s = fakeSocket(undefined);
    expect(slots.hold(s)).toBe(true);
    expect(slots.hold(fakeSocket(undefined))).toBe(false);
    s.emit('close', false);
    expect(slots.count('')).toBe(0);
    expect(() => new ConnectionCounter(0)).toThrow(RangeError);
  });
});
