/**
 * Message/CPIM with the `Msg` relations (issue 17, src/codec/cpim/relations.ts), as a Msg-aware
 * hub client writes and reads it: the test suites of the web page, IRC and email share these.
 */
import {
  buildCpim,
  parseCpim,
  readRelations,
  relationHeaders,
  type CpimMessage,
  type Relations,
} from '../../src/index.js';
import type { HubClient } from '../../src/hub/client.js';

/** A text/plain message from `from` to `to` with `r`; an empty body makes it silent (Require). */
export function relationCpim(from: string, to: string, body: string, r: Relations): Buffer {
  const hd = relationHeaders(r, body === '');
  return buildCpim({
    startsWith: 'cpim-headers',
    from: { uri: from },
    to: [{ uri: to }],
    dateTime: new Date(),
    ns: hd.ns,
    ...(hd.require.length > 0 ? { require: hd.require } : {}),
    extraHeaders: hd.extraHeaders,
    contentHeaders: [['Content-Type', 'text/plain; charset=UTF-8']],
    body,
  });
}

/** A delivered payload read strictly: the message, its relations and its text body. */
export function readRelationCpim(payload: Uint8Array | undefined): {
  m: CpimMessage;
  r: Relations;
  body: string;
} {
  const p = parseCpim(payload ?? new Uint8Array(), {
    startsWith: 'cpim-headers',
    mode: 'strict',
    role: 'endpoint',
  });
  if (p.result === 'reject') throw new Error(p.reason);
  return { m: p.message, r: readRelations(p.message), body: Buffer.from(p.message.body).toString('utf8') };
}

/** A hub client's send of Message/CPIM with `r` (relationCpim) under the gateway id `id`. */
export function sendRelation(c: HubClient, from: string, to: string, body: string, r: Relations, id: string) {
  return c.command(
    'send',
    [
      ['Sender', from],
      ['Inbox', to],
      ['Content-Type', 'message/cpim'],
      ['Message-ID', id],
    ],
    relationCpim(from, to, body, r),
  );
}
