/**
 * The IRC adapter's relations joined to the core codec (issue 17): the `Msg` namespace of
 * Message/CPIM (src/codec/cpim/relations.ts; docs/message-semantics.md) read from a send's payload
 * and written into an inbound line's payload. relations.ts turns them into IRC tags and back.
 * A reply and a reaction have IRC tags; an edit becomes a correction line (edit-line.ts), a
 * deletion a REDACT where the server has draft/message-redaction (redact.ts).
 */
import {
  CodecError,
  MSG_NS,
  buildCpim,
  getHeader,
  parseCpim,
  readRelations,
  relationHeaders,
  stripFallback,
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
  if (r.retracts !== undefined)
    return m.body.length === 0 ? { retracts: r.retracts } : { retracts: r.retracts, shown: true };
  // The text without its fallback (spec §2.3: a quote, `* `), where IRC writes the relation its
  // own way: the correction line of an edit (edit-line.ts), a reply's tag or `nick: ` prefix.
  const type = m.contentHeaders.find((c) => /^content-type$/i.test(c.name))?.value ?? 'text/plain';
  const text =
    r.fallback !== undefined && /^\s*text\/plain\s*(;|$)/i.test(type)
      ? stripFallback(Buffer.from(m.body).toString('utf8'), r.fallback)
      : undefined;
  if (r.replaces !== undefined)
    return { replaces: text === undefined ? { target: r.replaces } : { target: r.replaces, text } };
  if (r.replyTo !== undefined)
    return text === undefined ? { replyTo: r.replyTo } : { replyTo: r.replyTo, text };
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
      : ir.retracts !== undefined
        ? { retracts: ir.retracts }
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
