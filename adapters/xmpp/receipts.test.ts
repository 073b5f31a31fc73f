import { afterEach, describe, expect, it, vi } from 'vitest';
import { PendingReceipts } from './receipts.js';

describe('PendingReceipts (XEP-0184 waits, §5)', () => {
  afterEach(() => vi.useRealTimers());

  it('settles with the receipt only from the JID the message went to', async () => {
    const r = new PendingReceipts(10_000, 10);
    const p = r.wait('m1', 'juliet@example.org');
    expect(r.settle('m1', 'mallory@example.org', { kind: 'received' })).toBe(false);
    expect(r.settle('m1', 'juliet@example.org', { kind: 'received' })).toBe(true);
    expect(await p).toEqual({ kind: 'received' });
    expect(r.size).toBe(0);
  });

  it('an error stanza settles with its condition; nothing within the wait is a timeout', async () => {
    vi.useFakeTimers();
    const r = new PendingReceipts(1000, 10);
    const e = r.wait('m1', 'a@x');
    const t = r.wait('m2', 'a@x');
    r.settle('m1', 'a@x', { kind: 'error', condition: 'service-unavailable', text: '' });
    vi.advanceTimersByTime(1000);
    expect(await e).toMatchObject({ kind: 'error', condition: 'service-unavailable' });
    expect(await t).toEqual({ kind: 'timeout' });
  });

  it('is bounded: past maxPending no new message waits, and 0 ms means none ever waits', () => {
    const r = new PendingReceipts(60_000, 100);
    for (let i = 0; i < 1000 && r.hasRoom(); i++) void r.wait(`m${i}`, 'a@x');
    expect(r.size).toBe(100);
    expect(r.hasRoom()).toBe(false);
    r.clear({ kind: 'timeout' });
    expect(r.size).toBe(0);
    expect(new PendingReceipts(0, 100).hasRoom()).toBe(false);
  });

  it('says which ids wait, so a second send of the same gateway id takes another stanza id', () => {
    const r = new PendingReceipts(60_000, 10);
    void r.wait('g1', 'a@x');
    expect(r.isWaiting('g1')).toBe(true);
    expect(r.isWaiting('g2')).toBe(false);
    r.settle('g1', 'a@x', { kind: 'received' });
    expect(r.isWaiting('g1')).toBe(false);
  });
});
