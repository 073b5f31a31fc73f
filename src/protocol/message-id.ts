/**
 * The gateway's message id (issue 15; docs/hub-protocol.md part 4 row 32): the IMTP extension
 * header `Message-ID` the router adds to a `send` that enters the gateway without one, so every
 * copy (room fan-out, offline record, history row, an adapter's network id map) names the same
 * message. One generator for the whole gateway: the router, the adapters' network-id maps and
 * the web adapter all call this one.
 *
 * Form: 9 characters of the time in milliseconds, base 36, zero-padded (order-preserving until
 * the year 5188), then 16 characters of base64url (RFC 4648 §5) carrying 96 random bits: 25
 * visible ASCII characters, all allowed by `isMessageId`.
 *
 * Why time first: the store keeps one history row per (conversation, id) and one offline row per
 * (inbox, id), each behind a unique B-tree index. Ids that grow with time land at the right edge
 * of that index, as an autoincrement key does; purely random ids land anywhere, and once the
 * index outgrows SQLite's page cache every insert reads and dirties another leaf page (measured:
 * 16 µs against 10 µs per history insert at 200,000 rows; docs/performance.md, "Store"). The
 * random part alone keeps ids unguessable and unique (96 bits per millisecond).
 *
 * Hot path (docs/architecture.md part 11): one `randomFillSync` and one base64url encoding per
 * 256 ids instead of one of each per send (12 octets are 16 base64url characters with no
 * padding, so the pool's text cut every 16 characters is each id's own encoding); an id is
 * then a string slice and a concatenation (issue 18, bench/README.md "Relay, issue 18").
 */
import { randomFillSync } from 'node:crypto';

const RANDOM_OCTETS = 12;
const POOL = Buffer.allocUnsafe(RANDOM_OCTETS * 256);
/** POOL as base64url, made at each refill; `used` counts octets of POOL already handed out. */
let poolText = '';
let used = POOL.length;
/** The time part, reused while the clock stays in the same millisecond. */
let lastMs = -1;
let lastTime = '';

/** Width of the time part: 36^9 ms reaches past the year 5000. */
const TIME_WIDTH = 9;

/** A fresh message id: time (ms, base 36, 9 characters) then 96 random bits (base64url). */
export function newMessageId(now: number = Date.now()): string {
  if (used === POOL.length) {
    randomFillSync(POOL);
    poolText = POOL.toString('base64url');
    used = 0;
  }
  if (now !== lastMs) {
    lastMs = now;
    lastTime = now.toString(36).padStart(TIME_WIDTH, '0');
  }
  const at = (used / 3) * 4;
  const id = lastTime + poolText.slice(at, at + (RANDOM_OCTETS / 3) * 4);
  used += RANDOM_OCTETS;
  return id;
}
