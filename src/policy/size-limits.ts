/**
 * The payload size limits, decided here and read from here (issue 12). docs/hub-protocol.md part 4
 * row 26: the draft sets no sizes; cap payloads (64 KiB IM, 16 KiB PI) and answer `quota`.
 * Where each limit bites:
 * - the hub's frame layer refuses an oversized frame on the wire (`hub.limits`, whose payload
 *   defaults are these; src/hub/frame-limits.ts keeps the other frame limits);
 * - the router answers `quota` for an IMTP payload over `maxMessageBytes` or a PI over
 *   `maxPresenceBytes` from every entry point, adapters included (they have no frame layer);
 * - an adapter's `Capabilities.maxMessageSize` caps what the router hands it (delivery.ts);
 * - adapters' own protocol limits (web `limits.maxTextBytes`, email `inbound.maxMessageBytes`
 *   advertised with SMTP SIZE) refuse before translating.
 */
export interface PayloadLimits {
  /** Largest IMTP `send` payload. */
  readonly maxMessageBytes: number;
  /** Largest presence information (PITP payload). */
  readonly maxPresenceBytes: number;
}

export const DEFAULT_PAYLOAD_LIMITS: PayloadLimits = Object.freeze({
  maxMessageBytes: 64 * 1024,
  maxPresenceBytes: 16 * 1024,
});

/** The router's payload limits from the configuration's `hub.limits` (one place for both). */
export function payloadLimits(hub: {
  readonly maxImPayloadBytes: number;
  readonly maxPresencePayloadBytes: number;
}): PayloadLimits {
  return { maxMessageBytes: hub.maxImPayloadBytes, maxPresenceBytes: hub.maxPresencePayloadBytes };
}
