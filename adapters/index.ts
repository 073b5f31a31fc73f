/**
 * The adapter registry: every adapter type this build knows (design.md part 3). The IRC,
 * email and WebSocket adapters are added here by their own issues; until then the list is
 * empty and a configured adapter is reported as an unknown type.
 */
import type { AdapterConfigCheck } from '../src/config/load.js';

export interface AdapterRegistration {
  readonly type: string;
  readonly checkConfig: AdapterConfigCheck;
}

export const adapterDefinitions: readonly AdapterRegistration[] = [];
