/**
 * The IRC adapter's definition (docs/architecture.md part 5): `type: irc` in gateway.config.yaml, one
 * network per instance. See docs/adapters/irc.md.
 */
import type { AdapterDefinition } from '../../src/index.js';
import { parseIrcConfig, type IrcConfig } from './config.js';
import { ircRelationHooks } from './codec-relations.js';
import { IrcAdapter } from './irc-adapter.js';

export const ircAdapter: AdapterDefinition<IrcConfig> = {
  type: 'irc',
  parseConfig: parseIrcConfig,
  // Issue 17: replies and reactions through the core codec's Msg namespace.
  create: (config, ctx) => new IrcAdapter(config, ctx, ircRelationHooks),
};

export type { IrcConfig } from './config.js';
