/**
 * XMPP message ids ↔ the gateway's message ids (issue 17; docs/adapters/xmpp-mapping.md
 * "Relations"), kept in the store (src/store/message-ids.ts, namespace `msgid:<adapter id>`) so
 * that a correction or reply after a restart still finds its original.
 *
 * - What the component sends carries `<origin-id id=G>` (XEP-0359) with G the gateway id, and in
 *   a hosted room `<stanza-id by=room id=G>`: an XMPP client naming it names G itself. G is
 *   recorded as its own network id.
 * - What an XMPP user sends is known by its `id` attribute and its origin-id, which only that
 *   sender vouches for: both are kept scoped by the sender's bare JID (`<bare JID>\n<id>`, so two
 *   senders' ids never meet; matterbridge#1396) and map to the gateway id it was given.
 * - A reference is resolved sender-scoped first, then as one of the gateway's own ids.
 *
 * XEP-0444 sends the whole current set of one person's reactions to a message, the gateway one
 * key added or removed at a time (`Msg.Reaction`): a bounded table of the sets turns one into the
 * other, both ways.
 */
import { BoundedCache, newMessageId, type MessageIds } from '../../src/index.js';

/** One `Msg.Reaction` change. */
export interface ReactionChange {
  readonly op: 'add' | 'remove';
  readonly key: string;
}

export class XmppIds {
  private readonly reactions: BoundedCache<string, readonly string[]>;

  constructor(
    readonly ids: MessageIds,
    maxReactionSets: number,
  ) {
    this.reactions = new BoundedCache({ maxEntries: maxReactionSets });
  }

  /**
   * A stanza the component sent under gateway id `gid` (origin-id or room stanza-id = gid), and
   * `stanzaId` when its `id` attribute had to differ.
   */
  noteSent(gid: string, stanzaId = gid): void {
    if (this.ids.gatewayId(gid) === undefined) void this.ids.alias(gid, gid).catch(() => undefined);
    if (stanzaId !== gid) void this.ids.alias(stanzaId, gid).catch(() => undefined);
  }

  /**
   * The gateway id of a message an XMPP user sent with `id` (its `id` attribute) and `originId`:
   * the one it had when its origin-id is known (the same message sent again: XEP-0359 §3.1 makes
   * origin-ids unique), else a new one, recorded for each id. A reused `id` attribute alone is a
   * new message (clients number them per session; reusing the old gateway id would make the
   * store drop it as a copy). A correction (`original` set) gets a new gateway id of its own, but
   * its XMPP ids name the original, so a correction of a correction still names the first
   * message (XEP-0308 §5 asks clients for that; this keeps it true of clients that do not).
   */
  inbound(bare: string, id: string | undefined, originId: string | undefined, original?: string): string {
    const keys = [...new Set([id, originId].filter((x): x is string => x !== undefined && x !== ''))].map(
      (x) => `${bare}\n${x}`,
    );
    if (original !== undefined) {
      for (const k of keys) void this.ids.alias(k, original).catch(() => undefined);
      return newMessageId();
    }
    const known = originId ? this.ids.gatewayId(`${bare}\n${originId}`) : undefined;
    const gid = known ?? newMessageId();
    if (known === undefined)
      keys.forEach((k, i) => {
        const write = i === 0 ? this.ids.record(k, gid) : this.ids.alias(k, gid);
        void write.catch(() => undefined);
      });
    return gid;
  }

  /** The gateway id an XMPP reference from `bare` names, or undefined when unknown. */
  resolve(bare: string, ref: string): string | undefined {
    return this.ids.gatewayId(`${bare}\n${ref}`) ?? this.ids.gatewayId(ref);
  }

  /**
   * The XMPP id to name gateway message `gid` by. In a room, the stanza-id it was reflected with
   * (= gid, XEP-0461 §3 / XEP-0444 §3: groupchat names stanza-ids); one-to-one, the id its sender
   * gave it (an XMPP user's message) or gid (one the component sent). Undefined when unknown.
   */
  xmppRef(gid: string, groupchat: boolean): string | undefined {
    const n = this.ids.networkId(gid);
    const known = n !== undefined || this.ids.gatewayId(gid) !== undefined;
    if (!known) return undefined;
    if (groupchat || n === undefined) return gid;
    const nl = n.indexOf('\n');
    return nl < 0 ? n : n.slice(nl + 1);
  }

  /** XEP-0444 inbound: the changes from `who`'s last set on `target` to `keys`. */
  reactionChanges(who: string, target: string, keys: readonly string[]): ReactionChange[] {
    const k = `${who}\n${target}`;
    const before = this.reactions.get(k) ?? [];
    this.reactions.set(k, [...keys]);
    return [
      ...before.filter((x) => !keys.includes(x)).map((key) => ({ op: 'remove' as const, key })),
      ...keys.filter((x) => !before.includes(x)).map((key) => ({ op: 'add' as const, key })),
    ];
  }

  /** XEP-0444 outbound: `who`'s full set on `target` after one change (at most `max` keys). */
  reactionSet(who: string, target: string, change: ReactionChange, max: number): readonly string[] {
    const k = `${who}\n${target}`;
    const before = this.reactions.get(k) ?? [];
    const after =
      change.op === 'add'
        ? before.includes(change.key)
          ? before
          : [...before, change.key].slice(-max)
        : before.filter((x) => x !== change.key);
    this.reactions.set(k, after);
    return after;
  }
}
