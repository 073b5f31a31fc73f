/**
 * The adapter registry: every adapter type this build knows (docs/architecture.md part 3). The one place
 * the core learns of adapters is src/main.ts, which hands this list to the gateway.
 */
import type { AdapterDefinition } from '../src/index.js';
import { emailAdapter } from './email/index.js';
import { ircAdapter } from './irc/index.js';
import { websocketAdapter } from './websocket/index.js';
import { xmppAdapter } from './xmpp/index.js';

export const adapterDefinitions: readonly AdapterDefinition<never>[] = [
  emailAdapter as AdapterDefinition<never>,
  ircAdapter as AdapterDefinition<never>,
  websocketAdapter as AdapterDefinition<never>,
  xmppAdapter as AdapterDefinition<never>,
];
