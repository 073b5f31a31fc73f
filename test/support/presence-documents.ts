/**
 * Presence format matrix documents (issue 12): what each publisher kind writes (Hudson
 * `application/presence`, PIDF) and what a test reads back from a payload.
 */
import { expect } from 'vitest';
import { buildPidf, parsePidf } from '../../src/codec/pidf/index.js';
import { parsePresenceText } from '../../src/codec/presence-text/index.js';

export const PIDF = 'application/pidf+xml';
export const TEXT = 'application/presence';

const enc = (s: string) => new TextEncoder().encode(s);
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
