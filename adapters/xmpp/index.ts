/**
 * The XMPP adapter's definition (docs/architecture.md part 5): `type: xmpp` in
 * gateway.config.yaml, one XEP-0114 component per instance. See docs/adapters/xmpp.md.
 */
import type { AdapterDefinition } from '../../src/index.js';
import { parseXmppConfig, type XmppConfig } from './config.js';
import { XmppAdapter } from './xmpp-adapter.js';

export const xmppAdapter: AdapterDefinition<XmppConfig> = {
  type: 'xmpp',
  parseConfig: parseXmppConfig,
  create: (config, ctx) => new XmppAdapter(config, ctx),
};

export type { XmppConfig } from './config.js';
