/**
 * Each network's message id ↔ the gateway's message id (issue 15; the IMTP extension header
 * `Message-ID`, docs/hub-protocol.md part 4): the base for replies and edits (issue 17), and what
 * keeps a message resent after a crash under the id it had. One table per adapter, kept in the
 * store's mappings as namespace `msgid:<adapter id>` with two rows per pair, `n:<network id>` →
 * gateway id and `g:<gateway id>` → network id (kept-map.ts: bounded, least recently used first).
 *
 * What a network id is, per adapter: the IRCv3 `msgid` tag of a line (when the server sends one;
 * ngircd does not), the `Message-ID` header of a mail (inbound and outbound).
 */
import { newMessageId } from '../protocol/index.js';
import type { Logger } from '../log.js';
import { KeptMap } from './kept-map.js';
import type { Store } from './types.js';

/** The namespace of an adapter's message-id table. */
export function messageIdNamespace(adapterId: string): string {
  return `msgid:${adapterId}`;
}

export interface MessageIdsOptions {
  /** Most pairs kept (each pair is two rows). */
  readonly maxPairs: number;
  readonly log?: Logger | undefined;
}

export class MessageIds {
  private readonly map: KeptMap;

  constructor(store: Store | null, adapterId: string, options: MessageIdsOptions) {
    this.map = new KeptMap(store, messageIdNamespace(adapterId), {
      max: options.maxPairs * 2,
      log: options.log,
    });
  }

  /** Reads the table at start (bounded: at most `maxPairs` pairs). */
  load(): Promise<void> {
    return this.map.load();
  }

  /** Pairs kept now. */
  get size(): number {
    return Math.ceil(this.map.size / 2);
  }

  /** The gateway's id of the message the network knows as `networkId`. */
  gatewayId(networkId: string): string | undefined {
    return this.map.get('n:' + networkId);
  }

  /** The network's id of the gateway's message `gatewayId`. */
  networkId(gatewayId: string): string | undefined {
    return this.map.get('g:' + gatewayId);
  }

  /** Records the pair (both ways); resolves once the store committed it. */
  async record(networkId: string, gatewayId: string): Promise<void> {
    await Promise.all([this.map.set('n:' + networkId, gatewayId), this.map.set('g:' + gatewayId, networkId)]);
  }

  /**
   * One more network id for the gateway's message `gatewayId`, one way only: the network id
   * resolves to it, and `networkId(gatewayId)` keeps naming the first (a correction's own XMPP id
   * names the original it corrects, XEP-0308; replies still name the original's id).
   */
  async alias(networkId: string, gatewayId: string): Promise<void> {
    await this.map.set('n:' + networkId, gatewayId);
  }

  /**
   * The gateway id for an inbound message with network id `networkId`: the one it got before
   * (a message the network delivered twice, or again after a crash, keeps its id), else a new
   * one, recorded. The write is not awaited: an id lost in a crash only costs a duplicate's
   * detection.
   */
  inbound(networkId: string): string {
    const known = this.gatewayId(networkId);
    if (known !== undefined) return known;
    const id = newMessageId();
    this.record(networkId, id).catch(() => undefined);
    return id;
  }
}
