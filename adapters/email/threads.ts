/**
 * Mail threads and message ids, kept across restarts (issue 15; docs/adapters/email.md "What
 * survives a restart").
 *
 * A conversation is the pair of the IMTP send's Sender and Inbox, in either order
 * (`directConversation`): a hub user and a mailbox, or a room and a mailbox or list. Its thread
 * is the Message-ID of its last mail, in or out, and the References before it (RFC 5322 3.6.4),
 * so a mail the gateway sends answers the one before it (`In-Reply-To`), also after a restart,
 * and a mail that replies to one the gateway sent (its In-Reply-To or References name it) is
 * matched to that conversation and becomes its last mail.
 *
 * The thread keeps its Subject too (issue 20): a chat reply, which has none, goes out as
 * `Re: <subject>` (RFC 5322 3.6.5), so mail clients show it in the thread.
 *
 * Kept in the store's mappings, namespace `mail:<adapter id>:thread`: `c:<conversation>` →
 * `{"last":"<id>","refs":[…],"subject":"…"}` and `m:<Message-ID>` → conversation; at most `keep.threads`
 * conversations and as many message ids (src/store/kept-map.ts, least recently used first).
 * The mail Message-ID ↔ gateway Message-ID pairs go to `msgid:<adapter id>` (src/store/message-ids.ts).
 */
import { KeptMap, MessageIds, directConversation, type Logger, type Store } from '../../src/index.js';
import type { Threading } from './translate.js';

/** References carried at most (RFC 5322 3.6.4 lets them grow; mail clients trim them too). */
export const MAX_REFERENCES = 10;

export interface Thread {
  readonly last: string;
  readonly refs: readonly string[];
  /** The Subject of the thread's mails (the first that had one), when any had one. */
  readonly subject?: string;
}

/** RFC 5322 3.6.5: a reply's Subject is the original's with one `Re: ` before it. */
export function replySubject(subject: string): string {
  const bare = subject.replace(/^(?:\s*(?:re|aw|sv|antw)\s*(?:\[\d+\])?\s*:\s*)+/i, '').trim();
  return `Re: ${bare}`;
}

/**
 * Issue 17: at most `max` ids of a References field, root first (RFC 5322 3.6.4): the first (the
 * thread's root) and the newest `max - 1`, each once. A field of hundreds of ids, or one naming
 * the same ids again and again (a loop: A references B references A), costs `max` lookups.
 */
export function boundedReferences(refs: readonly string[], max: number): string[] {
  const seen = new Set<string>();
  const unique: string[] = [];
  for (const r of refs)
    if (!seen.has(r)) {
      seen.add(r);
      unique.push(r);
    }
  if (unique.length <= max) return unique;
  return [unique[0]!, ...unique.slice(unique.length - (max - 1))];
}

/** RFC 5322 3.6.4 in mail out: the root, and the newest, at most MAX_REFERENCES ids. */
function trimmed(refs: readonly string[]): string[] {
  return boundedReferences(refs, MAX_REFERENCES);
}

export interface MailMemoryLimits {
  readonly threads: number;
  readonly messageIds: number;
}

export function threadNamespace(adapterId: string): string {
  return `mail:${adapterId}:thread`;
}

function parseThread(text: string | undefined): Thread | undefined {
  if (text === undefined) return undefined;
  try {
    const t = JSON.parse(text) as Partial<Thread>;
    if (typeof t.last !== 'string' || !Array.isArray(t.refs)) return undefined;
    const refs = t.refs.filter((r): r is string => typeof r === 'string');
    return typeof t.subject === 'string'
      ? { last: t.last, refs, subject: t.subject }
      : { last: t.last, refs };
  } catch {
    return undefined;
  }
}

export class MailMemory {
  private conversations: KeptMap | undefined;
  private messages: KeptMap | undefined;
  private ids: MessageIds | undefined;

  /** Opens the maps (adapter start): kept in `store`, or in memory only when it is null. */
  async open(store: Store | null, adapterId: string, limits: MailMemoryLimits, log: Logger): Promise<void> {
    const ns = threadNamespace(adapterId);
    // Two maps in one namespace, told apart by their key prefixes; the namespace is read once.
    const rows = store === null ? [] : await store.listMappings(ns);
    const conversations = new KeptMap(store, ns, { max: limits.threads, log, keyPrefix: 'c:' });
    const messages = new KeptMap(store, ns, { max: limits.threads, log, keyPrefix: 'm:' });
    await conversations.load(rows);
    await messages.load(rows);
    this.conversations = conversations;
    this.messages = messages;
    if (store !== null) {
      this.ids = new MessageIds(store, adapterId, { maxPairs: limits.messageIds, log });
      await this.ids.load();
    }
  }

  /** The thread of the conversation between `a` and `b`, if any mail was seen in it. */
  thread(a: string, b: string): Thread | undefined {
    return parseThread(this.conversations?.get('c:' + directConversation(a, b)));
  }

  /**
   * The threading of a mail about to go out in the conversation `a`–`b`: what the IM carried
   * (a mail from another mail network keeps its own), else a reply to the conversation's last mail.
   */
  outboundThreading(a: string, b: string, carried: Threading): Threading {
    if (carried.inReplyTo !== undefined || carried.references.length > 0) return carried;
    const t = this.thread(a, b);
    if (t === undefined) return carried;
    return { ...carried, inReplyTo: t.last, references: [...t.refs.filter((r) => r !== t.last), t.last] };
  }

  /**
   * Issue 17: the threading of a mail that answers the mail `parent` (a chat reply, an edit's
   * correction, a reaction's follow-up), in the conversation `a`–`b`: `In-Reply-To` the parent,
   * `References` root first (RFC 5322 3.6.4): the conversation's chain up to the parent when the
   * parent is in it, else the parent alone; `root` (a `Msg.Thread`'s mail) first when given.
   */
  answering(a: string, b: string, parent: string, root?: string): Threading {
    const t = this.thread(a, b);
    const chain = t === undefined ? [] : [...t.refs, t.last];
    const at = chain.lastIndexOf(parent);
    let refs = at >= 0 ? chain.slice(0, at + 1) : [parent];
    if (root !== undefined && refs[0] !== root) refs = [root, ...refs.filter((r) => r !== root)];
    return { inReplyTo: parent, references: trimmed(refs) };
  }

  /**
   * Issue 17: a message in the thread whose root went out (or came in) as the mail `root`
   * (`Msg.Thread`) with no `Msg.Reply-To`: it answers the conversation's last mail when that one
   * is of the same thread, else the root.
   */
  inThread(a: string, b: string, root: string): Threading {
    const t = this.thread(a, b);
    const inIt = t !== undefined && (t.last === root || t.refs.includes(root));
    return this.answering(a, b, inIt ? t.last : root, root);
  }

  /**
   * The Subject of a mail about to go out in the conversation `a`–`b` when the IM has none (a
   * chat reply): `Re: ` and the thread's Subject, or undefined when the thread has none.
   */
  outboundSubject(a: string, b: string, carried: string | undefined): string | undefined {
    if (carried !== undefined) return carried;
    const subject = this.thread(a, b)?.subject;
    return subject === undefined ? undefined : replySubject(subject);
  }

  /**
   * `messageId` is now the last mail of the conversation `a`–`b` (sent or received); resolves
   * when kept. A mail whose In-Reply-To or References name a mail of another conversation
   * continues that one instead (`matched`). The thread keeps the first Subject it was given.
   */
  async record(
    a: string,
    b: string,
    messageId: string,
    threading: Threading,
    subject?: string,
  ): Promise<string> {
    const conversations = this.conversations;
    const messages = this.messages;
    if (conversations === undefined || messages === undefined) return directConversation(a, b);
    const conv = this.matched(threading) ?? directConversation(a, b);
    const before = parseThread(conversations.get('c:' + conv));
    const refs = before === undefined ? [] : [...before.refs.filter((r) => r !== before.last), before.last];
    const kept = before?.subject ?? (subject?.trim() || undefined);
    const thread: Thread = {
      last: messageId,
      refs: refs.slice(-MAX_REFERENCES),
      ...(kept === undefined ? {} : { subject: kept }),
    };
    await Promise.all([
      conversations.set('c:' + conv, JSON.stringify(thread)),
      messages.set('m:' + messageId, conv),
    ]);
    return conv;
  }

  /** The conversation a mail replies to: the first of In-Reply-To, then References newest first, known here. */
  matched(threading: Threading): string | undefined {
    const named = [
      ...(threading.inReplyTo === undefined ? [] : [threading.inReplyTo]),
      ...[...threading.references].reverse(),
    ];
    for (const id of named) {
      const conv = this.messages?.get('m:' + id);
      if (conv !== undefined) return conv;
    }
    return undefined;
  }

  /** The gateway Message-ID of an inbound mail (kept, so a mail delivered twice keeps one id). */
  inboundId(mailMessageId: string | undefined): string | undefined {
    return mailMessageId === undefined || this.ids === undefined
      ? undefined
      : this.ids.inbound(mailMessageId);
  }

  /** The gateway Message-ID of a mail the gateway has seen or sent (no new id is made). */
  gatewayIdOf(mailMessageId: string | undefined): string | undefined {
    return mailMessageId === undefined ? undefined : this.ids?.gatewayId(mailMessageId);
  }

  /** The mail Message-ID the gateway message `gatewayId` went out with before, if any. */
  sentAs(gatewayId: string | undefined): string | undefined {
    return gatewayId === undefined ? undefined : this.ids?.networkId(gatewayId);
  }

  /** Records the mail Message-ID an outbound gateway message went out with. */
  async sent(gatewayId: string | undefined, mailMessageId: string): Promise<void> {
    if (gatewayId !== undefined) await this.ids?.record(mailMessageId, gatewayId);
  }
}
