/**
 * The IRC adapter's relations joined to the core codec (issue 17): the `Msg` namespace of
 * Message/CPIM (src/codec/cpim/relations.ts; docs/message-semantics.md) read from a send's payload
 * and written into an inbound line's payload. relations.ts turns them into IRC tags and back.
 * Only a reply and a reaction have an IRC form today; edits and deletions pass as their fallback
 * text (a silent deletion is answered as one IRC cannot carry, outbound.ts).
 */
import {
  CodecError,
  MSG_NS,
  buildCpim,
  getHeader,
  parseCpim,
  readRelations,
  relationHeaders,
  type CpimMessage,
  type Operation,
  type Relations,
} from '../../src/index.js';
import type { IrcRelationHooks } from './ircv3.js';
import type { IrcRelations } from './relations.js';

const CPIM = /^\s*message\/cpim\s*(;|$)/i;
/** The namespace's URI as octets: a payload without it has no relation, and is not parsed. */
const MSG_NS_OCTETS = Buffer.from(MSG_NS, 'latin1');

function parsed(payload: Uint8Array): CpimMessage | null {
  const r = parseCpim(payload, { startsWith: 'cpim-headers', mode: 'lenient', role: 'endpoint' });
  return r.result === 'reject' ? null : r.message;
}

/** The reply or reaction of a send (its `Msg.Reply-To` / `Msg.Reaction`); none when unreadable. */
export function relationsOfSend(op: Operation): IrcRelations | undefined {
  if (op.payload === undefined || !CPIM.test(getHeader(op.headers, 'Content-Type') ?? '')) return undefined;
  if (Buffer.from(op.payload.buffer, op.payload.byteOffset, op.payload.byteLength).indexOf(MSG_NS_OCTETS) < 0)
    return undefined;
  const m = parsed(op.payload);
  if (m === null) return undefined;
  let r: Relations;
  try {
    r = readRelations(m);
  } catch (e) {
    // Malformed Msg headers: the message goes on as plain text (docs/message-semantics.md).
    if (e instanceof CodecError) return undefined;
    throw e;
  }
  if (r.reaction !== undefined) return { reaction: r.reaction };
  if (r.retracts !== undefined && m.body.length === 0) return { retracts: r.retracts };
  if (r.replyTo !== undefined) return { replyTo: r.replyTo };
  return undefined;
}

/**
 * An inbound line's payload (built by body.ts: From, To, DateTime, the text entity) with its
 * reply or reaction written as `Msg` headers. A reaction has an empty body, so it is silent and
 * required (`Require: Msg.Reaction`, message-semantics §2.2).
 */
export function payloadWithRelations(payload: Uint8Array, ir: IrcRelations): Uint8Array {
  const m = parsed(payload);
  if (m === null) return payload;
  const r: Relations =
    ir.reaction !== undefined
      ? { reaction: ir.reaction }
      : ir.replyTo !== undefined
        ? { replyTo: ir.replyTo }
        : {};
  const s = m.semantics;
  const h = relationHeaders(r, m.body.length === 0);
  return buildCpim({
    startsWith: 'cpim-headers',
    ...(s.from === null ? {} : { from: s.from }),
    to: s.to,
    ...(s.datetime === null ? {} : { dateTime: s.datetime }),
    ns: h.ns,
    ...(h.require.length > 0 ? { require: h.require } : {}),
    extraHeaders: h.extraHeaders,
    contentHeaders: m.contentHeaders.map((c) => [c.name, c.value] as const),
    body: m.body,
  });
}

export const ircRelationHooks: IrcRelationHooks = {
  relationsOf: relationsOfSend,
  withRelations: payloadWithRelations,
};
