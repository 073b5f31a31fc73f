/**
 * The adapter registry: every adapter type this build knows (design.md part 3). The one place
 * the core learns of adapters is src/main.ts, which hands this list to the gateway.
 */
import type { AdapterDefinition } from '../src/index.js';

export const adapterDefinitions: readonly AdapterDefinition<never>[] = [];
