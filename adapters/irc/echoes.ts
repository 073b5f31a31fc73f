/**
 * The IRC msgid of the gateway's own lines (docs/message-semantics.md):
 * with echo-message the server sends each PRIVMSG/NOTICE/TAGMSG we wrote back to us with the
 * msgid it gave it (ircv3.net/specs/extensions/echo-message), and with labeled-response the echo
 * carries the `label` we put on the line (extensions/labeled-response), which names the send's
 * gateway Message-ID. The pair goes into the msgid table, so that a later IRC reply or reaction
 * to that line (`+draft/reply=<msgid>`) resolves to the gateway's id. Echoes are never messages:
 * inbound.ts drops our own nicks' lines before this (and a labelled line is ours).
 */
import type { Logger, MessageIds } from '../../src/index.js';
import { CAP, TAG } from './caps.js';
import { EchoFifo } from './echo-fifo.js';
import { foldCase } from './translate.js';
import type { IrcLink } from './link.js';

const ECHO_EVENTS = ['privmsg', 'notice', 'action', 'tagmsg'] as const;

interface EchoEvent {
  readonly nick?: string;
  readonly target?: string;
  readonly message?: string;
  readonly tags?: Record<string, string>;
  readonly batch?: { id: string };
}

/** An unlabelled echo of our own line, matched in order (echo-fifo.ts). */
function fromFifo(
  link: IrcLink,
  fifo: EchoFifo,
  e: EchoEvent,
  action: boolean,
): { gatewayId: string; msgid: string } | null {
  const msgid = e.tags?.[TAG.msgid];
  if (fifo.size === 0 || !msgid || !e.nick || e.target === undefined) return null;
  const cm = link.info.casemapping;
  if (foldCase(e.nick, cm) !== foldCase(link.nick, cm)) return null;
  const text = action ? `\x01ACTION ${e.message ?? ''}\x01` : (e.message ?? '');
  const gatewayId = fifo.take(foldCase(e.target, cm), text);
  return gatewayId === null ? null : { gatewayId, msgid };
}
/** `@…label=X… :server BATCH +ref [:]labeled-response`: the label and the batch's reference. */
const LABELED_BATCH = /^@(?:\S*;)?label=([^;\s]+)\S* (?::\S+ )?BATCH \+(\S+) :?labeled-response/;

/** The labels one connection is waiting to see again, bounded (oldest forgotten first). */
export class EchoLabels {
  private seq = 0;
  /** label → gateway Message-ID, in the order sent. */
  private readonly pending = new Map<string, string>();

  constructor(private readonly max: number) {}

  get size(): number {
    return this.pending.size;
  }

  /** A new label for the send with gateway id `gatewayId`. */
  label(gatewayId: string): string {
    if (this.pending.size >= this.max) this.pending.delete(this.pending.keys().next().value!);
    const label = `gw${(++this.seq).toString(36)}`;
    this.pending.set(label, gatewayId);
    return label;
  }

  /**
   * An echoed line's tags: the gateway id its label named and the msgid it got, once. `batchLabel`:
   * the label of the `labeled-response` batch the line came in (several replies to one command,
   * as RPL_AWAY and the echo of a private message: the label is on the batch, not on the line).
   */
  take(
    tags: Readonly<Record<string, string>> | undefined,
    batchLabel?: string,
  ): { gatewayId: string; msgid: string } | null {
    const label = tags?.[TAG.label] ?? batchLabel;
    const msgid = tags?.[TAG.msgid];
    if (!label || !msgid) return null;
    const gatewayId = this.pending.get(label);
    if (gatewayId === undefined) return null;
    this.pending.delete(label);
    return { gatewayId, msgid };
  }
}

/** The echo labels of every connection of one adapter (the main one and each puppet). */
export class OwnMsgids {
  private readonly labels = new WeakMap<IrcLink, EchoLabels>();
  private readonly fifos = new WeakMap<IrcLink, EchoFifo>();

  constructor(
    private readonly ids: MessageIds,
    /** Labels kept per connection: at most one per queued message, so the queue's bound. */
    private readonly max: number,
    private readonly log: Logger,
  ) {}

  /** Listens for `link`'s echoes. */
  watch(link: IrcLink): void {
    const labels = new EchoLabels(this.max);
    this.labels.set(link, labels);
    const fifo = new EchoFifo(this.max);
    this.fifos.set(link, fifo);
    // extensions/labeled-response: `@label=X BATCH +ref labeled-response` opens the replies to a
    // labelled command; irc-framework keeps no tags of a BATCH line, so the raw line is read.
    const batches = new Map<string, string>();
    link.client.on('raw', (e: { line: string; from_server: boolean }) => {
      if (!e.from_server || !e.line.startsWith('@')) return;
      const m = LABELED_BATCH.exec(e.line);
      if (m === null) return;
      if (batches.size >= this.max) batches.delete(batches.keys().next().value!);
      batches.set(m[2]!, m[1]!);
    });
    for (const kind of ECHO_EVENTS)
      link.client.on(kind, (e: EchoEvent) => {
        const batch = e.batch?.id;
        const hit =
          labels.take(e.tags, batch === undefined ? undefined : batches.get(batch)) ??
          fromFifo(link, fifo, e, kind === 'action');
        if (batch !== undefined) batches.delete(batch);
        if (hit === null) return;
        this.ids
          .record(hit.msgid, hit.gatewayId)
          .catch((err: unknown) => this.log.warn({ err }, 'irc msgid of an own line not kept'));
      });
  }

  /**
   * The echo of our own multiline batch (multiline.ts): the label and msgid are on its opening
   * BATCH line, whose tags are given here.
   */
  batchEcho(link: IrcLink, tags: Readonly<Record<string, string>>): void {
    const hit = this.labels.get(link)?.take(tags);
    if (hit)
      this.ids
        .record(hit.msgid, hit.gatewayId)
        .catch((err: unknown) => this.log.warn({ err }, 'irc msgid of an own line not kept'));
  }

  /**
   * Without labeled-response (echo-message only): the lines of a send on `link` to `target`,
   * waited for in order (echo-fifo.ts). Nothing when the connection has no echo-message.
   */
  expectEcho(link: IrcLink, target: string, texts: readonly string[], gatewayId: string | undefined): void {
    const cap = link.client.network.cap;
    if (gatewayId === undefined || !cap.isEnabled(CAP.echoMessage) || cap.isEnabled(CAP.labeledResponse))
      return;
    this.fifos.get(link)?.expect(foldCase(target, link.info.casemapping), texts, gatewayId);
  }

  /**
   * The `label=` tag for a send on `link`, or undefined when the connection cannot tell us the
   * msgid (no echo-message or no labeled-response: ngircd) or the send has no gateway id.
   */
  labelTag(link: IrcLink, gatewayId: string | undefined): string | undefined {
    if (gatewayId === undefined) return undefined;
    const labels = this.labels.get(link);
    if (labels === undefined) return undefined;
    // A connection not registered yet (a new puppet) has no caps yet: labelled anyway, and the
    // label goes out only if the caps allow (caps.ts tagsNow).
    const cap = link.client.network.cap;
    if (link.state === 'ready' && !(cap.isEnabled(CAP.echoMessage) && cap.isEnabled(CAP.labeledResponse)))
      return undefined;
    return `${TAG.label}=${labels.label(gatewayId)}`;
  }
}
