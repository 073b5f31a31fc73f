/**
 * Presence format matrix helpers (issue 12): the documents each publisher kind produces, a hub
 * client publishing them over PITP, and the two ways a test looks at what a watcher got (a native
 * client's fetch, a web watcher's `presence` frame).
 */
import { expect } from 'vitest';
import { buildPidf, parsePidf } from '../../src/codec/pidf/index.js';
import { parsePresenceText } from '../../src/codec/presence-text/index.js';
import type { ResponseFrame } from '../../src/hub/frame/index.js';
import type { Header } from '../../src/protocol/index.js';
import type { HubClient } from '../../src/hub/client.js';
import type { TestClient } from './websocket.js';

export const PIDF = 'application/pidf+xml';
export const TEXT = 'application/presence';

const enc = (s: string) => new TextEncoder().encode(s);
export const h = (headers: readonly Header[], name: string) => headers.find(([n]) => n === name)?.[1];

/**
 * Hudson's `application/presence` (draft-hudson-impp-pidf-proposal-01 §4, docs/hub-protocol.md 2.12)
 * as a PITP client writes it: one contact with a status, and no `presentity` variable, so the
 * core must take the PIDF entity from the Presentity header.
 */
export function hudson(inbox: string, status: 'open' | 'closed'): Uint8Array {
  return enc(`contact = "${inbox}" {\r\n  status = "${status}"\r\n}\r\n`);
}

export function pidf(entity: string, basic: 'open' | 'closed'): Uint8Array {
  return enc(
    buildPidf({
      entity,
      tuples: [{ id: 't1', basic, contact: { uri: entity.replace(/^pres:/, 'im:'), priority: null } }],
    }),
  );
}

/**
 * Publishes `payload` into mapping 1 of `presentity`, visible to everyone (`*`): insert-mapping
 * the first time, change after (draft §15.7, §15.1). No `contentType` = no Content-Type header
 * (the PITP default, application/presence, draft §10).
 */
export async function publish(
  c: HubClient,
  presentity: string,
  payload: Uint8Array,
  contentType: string | undefined,
  first: boolean,
): Promise<void> {
  const headers: Header[] = [
    ['Presentity', presentity],
    ['Mapping', '1'],
  ];
  if (first) headers.push(['Wpattern', '*']);
  if (contentType !== undefined) headers.push(['Content-Type', contentType]);
  const a = await c.command(first ? 'insert-mapping' : 'change', headers, payload);
  expect(a.status, JSON.stringify(a.headers)).toBe('ok');
}

/** A native client's fetch, optionally stating the types it accepts (the `Accept` extension). */
export async function fetchAs(
  c: HubClient,
  watcher: string,
  presentity: string,
  accept?: string,
): Promise<ResponseFrame> {
  const headers: Header[] = [
    ['Watcher', watcher],
    ['Presentity', presentity],
  ];
  if (accept !== undefined) headers.push(['Accept', accept]);
  const a = await c.command('fetch', headers);
  expect(a.status, JSON.stringify(a.headers)).toBe('ok');
  return a;
}

/** The basic status a PIDF payload shows (every tuple must agree). */
export function pidfBasic(payload: Uint8Array | null | undefined): string {
  const doc = parsePidf(payload!).document;
  const basics = [...new Set(doc.tuples.map((t) => t.basic))];
  expect(basics).toHaveLength(1);
  return String(basics[0]);
}

/** The statuses of a Hudson payload's contacts, with their URLs. */
export function hudsonContacts(payload: Uint8Array | null | undefined): [string, string | null][] {
  return parsePresenceText(payload!).document.contacts.map((c) => [c.url, c.status]);
}

/** Waits for a `presence` frame for `who` in `state` (received at or after frame `from`). */
export function webSees(c: TestClient, who: string, state: string, from = 0, ms = 5000) {
  return c.waitFor((f) => f.type === 'presence' && f.who === who && f.state === state, ms, from);
}
