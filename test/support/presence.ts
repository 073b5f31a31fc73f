/**
 * Presence format matrix helpers (issue 12): a hub client publishing documents
 * (presence-documents.ts) over PITP, and the two ways a test looks at what a watcher got (a
 * native client's fetch, a web watcher's `presence` frame).
 */
import { expect } from 'vitest';
import type { ResponseFrame } from '../../src/hub/frame/index.js';
import type { Header } from '../../src/protocol/index.js';
import type { HubClient } from '../../src/hub/client.js';
import type { TestClient } from './websocket.js';

/** The core's warn line for a PI it could not translate (presence-translate.ts). */
export const NOT_TRANSLATED = 'presence not translated; watchers see it as unknown';

export const h = (headers: readonly Header[], name: string) => headers.find(([n]) => n === name)?.[1];

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

/** Waits for a `presence` frame for `who` in `state` (received at or after frame `from`). */
export function webSees(c: TestClient, who: string, state: string, from = 0, ms = 5000) {
  return c.waitFor((f) => f.type === 'presence' && f.who === who && f.state === state, ms, from);
}
