/**
 * IRCv3 capabilities and tags: every name in one place (the `draft/` ones are work-in-progress
 * specifications and may be renamed; docs/message-semantics.md), which caps a
 * connection asks for, and what a connection negotiated.
 *
 * IRCv3 capability negotiation (ircv3.net/specs/extensions/capability-negotiation): a client
 * asks only for caps listed in `CAP LS 302` and keys every behaviour off the ACKed set, per
 * connection; a cap can go again with `CAP DEL` (cap-notify). irc-framework 4.x does the
 * negotiation: it asks for what the server lists out of its own list (message-tags, batch,
 * server-time, account-tag, ...) plus what `requestCap` added, and keeps the ACKed set in
 * `network.cap.enabled`, updated on ACK, NEW and DEL.
 */

/** Capability names. */
export const CAP = {
  /** `@tags` on lines, client-only `+tags`, TAGMSG (ircv3.net/specs/extensions/message-tags). */
  messageTags: 'message-tags',
  /** Our own PRIVMSG/NOTICE/TAGMSG come back with their msgid (extensions/echo-message). */
  echoMessage: 'echo-message',
  /** `time=` on delivered lines (extensions/server-time). */
  serverTime: 'server-time',
  /** `@label=` on a command comes back on its reply or echo (extensions/labeled-response). */
  labeledResponse: 'labeled-response',
  /** `BATCH +ref` … `BATCH -ref` (extensions/batch); labeled-response needs it. */
  batch: 'batch',
  /** Client batches of lines, `draft/multiline=max-bytes=N[,max-lines=M]` (extensions/multiline). */
  multiline: 'draft/multiline',
  /** `REDACT <target> <msgid> [:reason]` (extensions/message-redaction). */
  redaction: 'draft/message-redaction',
  /** `CHATHISTORY …` (extensions/chathistory). */
  chathistory: 'draft/chathistory',
} as const;

/** Tag names. */
export const TAG = {
  /** The server's message id (extensions/message-ids); no cap of its own: comes with message-tags. */
  msgid: 'msgid',
  label: 'label',
  time: 'time',
  batch: 'batch',
  /** Client-only reply tag, value = the parent's msgid (client-tags/reply). */
  reply: '+draft/reply',
  /** Client-only reaction tag, with +draft/reply naming the target (client-tags/react). */
  react: '+draft/react',
  /** Proposed removal of a reaction (a spec PR only; some clients send it). */
  unreact: '+draft/unreact',
} as const;

/** What one connection negotiated (key every behaviour off this, never off the server's name). */
export interface IrcCaps {
  readonly messageTags: boolean;
  readonly echoMessage: boolean;
  readonly serverTime: boolean;
  readonly labeledResponse: boolean;
  readonly batch: boolean;
  /** draft/multiline's limits (the cap's value), or null when not negotiated. */
  readonly multiline: { readonly maxBytes: number; readonly maxLines: number | null } | null;
  readonly redaction: boolean;
  readonly chathistory: boolean;
}

/** Nothing negotiated: a server without CAP (or ngircd, which offers only multi-prefix). */
export const NO_CAPS: IrcCaps = {
  messageTags: false,
  echoMessage: false,
  serverTime: false,
  labeledResponse: false,
  batch: false,
  multiline: null,
  redaction: false,
  chathistory: false,
};

/**
 * The caps a connection asks for beyond irc-framework's own list. `echo`: ask for echo-message
 * (and labeled-response, to match each echo to its send), which is only useful when the gateway
 * keeps message ids (a store): without it, the echoes would be lines to throw away.
 */
export function wantedCaps(main: boolean, echo: boolean): string[] {
  const caps: string[] = [CAP.serverTime, CAP.messageTags, CAP.batch];
  if (main) caps.push('away-notify', 'multi-prefix');
  if (echo) caps.push(CAP.echoMessage, CAP.labeledResponse);
  caps.push(CAP.multiline, CAP.redaction, CAP.chathistory);
  return caps;
}

/** `max-bytes=4096,max-lines=24` (extensions/multiline "Capability"). */
function multilineLimits(value: string | undefined): IrcCaps['multiline'] {
  const kv = new Map(
    (value ?? '').split(',').map((p) => {
      const i = p.indexOf('=');
      return [i < 0 ? p : p.slice(0, i), i < 0 ? '' : p.slice(i + 1)] as const;
    }),
  );
  const maxBytes = Number(kv.get('max-bytes'));
  // The spec makes max-bytes mandatory; a server without it gets no multiline from us.
  if (!Number.isInteger(maxBytes) || maxBytes <= 0) return null;
  const lines = Number(kv.get('max-lines'));
  return { maxBytes, maxLines: Number.isInteger(lines) && lines > 0 ? lines : null };
}

/** The negotiated set, from the ACKed names and the values the server listed (CAP LS 302). */
export function capsOf(enabled: readonly string[], values: ReadonlyMap<string, string>): IrcCaps {
  const on = new Set(enabled);
  const tags = on.has(CAP.messageTags);
  return {
    messageTags: tags,
    echoMessage: on.has(CAP.echoMessage),
    serverTime: on.has(CAP.serverTime),
    // labeled-response is only usable with batch (extensions/labeled-response "Dependencies").
    labeledResponse: on.has(CAP.labeledResponse) && on.has(CAP.batch),
    batch: on.has(CAP.batch),
    multiline: on.has(CAP.multiline) && on.has(CAP.batch) ? multilineLimits(values.get(CAP.multiline)) : null,
    redaction: on.has(CAP.redaction),
    chathistory: on.has(CAP.chathistory),
  };
}

/**
 * A queued line's tags as the connection can send them when the line goes out (its caps may have
 * changed since it was queued: a new puppet registers, a reconnect reaches another server): none
 * without message-tags, no `label` without labeled-response (extensions/labeled-response).
 */
export function tagsNow(tags: string, enabled: readonly string[]): string {
  if (!enabled.includes(CAP.messageTags)) return '';
  if (enabled.includes(CAP.labeledResponse) && enabled.includes(CAP.echoMessage)) return tags;
  return tags
    .split(';')
    .filter((t) => !t.startsWith(`${TAG.label}=`))
    .join(';');
}
