import { describe, expect, it } from 'vitest';
import { getHeader } from '../../src/index.js';
import { SendQueue, Ticket, TokenBucket, expiryAnswer } from './queue.js';

const ticket = (lines: number, at: number) => new Ticket(lines, '#dev', at, []);
const why = (a: { headers: readonly (readonly [string, string])[] }) =>
  [getHeader(a.headers, 'Error-Type'), getHeader(a.headers, 'Error-Description')] as const;

describe('IRC send queue (issue 20: an aged-out send says why)', () => {
  it('answers quota when the connection was up and joined, communications when down or not joined', () => {
    const t = ticket(3, 0);
    t.written = 1;
    expect(why(expiryAnswer(t, true, true, 2000))).toEqual([
      'quota',
      'the IRC connection is paced (flood control) and the message waited 2000 ms behind others; 1 of 3 lines were sent',
    ]);
    expect(why(expiryAnswer(t, false, true, 2000))[0]).toBe('communications');
    expect(why(expiryAnswer(t, false, true, 2000))[1]).toMatch(/^the IRC connection was down for 2000 ms/);
    expect(why(expiryAnswer(t, true, false, 2000))[1]).toMatch(/could not join the channel/);
  });

  it('expires old tickets only, each answered as the connection says', async () => {
    const q = new SendQueue(100, 1000);
    const old = ticket(2, 0);
    const fresh = ticket(1, 1500);
    q.push([
      { line: 'a', channel: '#dev', ticket: old },
      { line: 'b', channel: '#dev', ticket: old },
      { line: 'c', ticket: fresh },
    ]);
    const seen: (string | undefined)[] = [];
    expect(q.expire(2000, (t, ch) => (seen.push(ch), expiryAnswer(t, true, true, 1000)))).toBe(1);
    expect(seen).toEqual(['#dev']);
    expect(q.length).toBe(1);
    expect(why(await old.promise)[0]).toBe('quota');
    expect(old.expired).toBe(true);
  });

  it('tells how long n lines wait for the pacing bucket', () => {
    let now = 0;
    const b = new TokenBucket(5, 10, true, () => now);
    expect(b.waitFor(5)).toBe(0);
    expect(b.waitFor(25)).toBe(2000);
    for (let i = 0; i < 5; i++) b.take();
    now = 500;
    expect(b.waitFor(5)).toBe(0);
    expect(new TokenBucket(5, 10, false).waitFor(1000)).toBe(0);
  });
});
