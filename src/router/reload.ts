/**
 * What a configuration reload may change in the router (docs/operations-reload.md). Each field
 * present replaces the running value; absent fields stay as they are.
 */
import type { MismatchedFromPolicy } from '../codec/cpim/index.js';
import type { ImAddress } from '../model/index.js';
import type { RateSpec } from '../policy/index.js';
import type { RoomConfig, RouterLimits } from './context.js';

export interface RouterReload {
  readonly rooms?: readonly RoomConfig[];
  readonly limits?: Partial<RouterLimits>;
  /** The gateway-wide `limits.perSender` rate (adapters' own rates are theirs). */
  readonly senderRate?: RateSpec;
  readonly listenable?: (inbox: ImAddress) => boolean;
  /** Issue 15: whose messages are kept while nobody listens (hub accounts' `offline`). */
  readonly keepsOffline?: (inbox: ImAddress) => boolean;
  readonly mismatchedFrom?: MismatchedFromPolicy;
}
