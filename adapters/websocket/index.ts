/**
 * The `websocket` adapter type: web chat for browsers, served with its page on one HTTP port
 * (README.md in this folder).
 */
import type { AdapterDefinition } from '../../src/index.js';
import { parseWebSocketConfig, type WebSocketConfig } from './config.js';
import { WebSocketAdapter } from './ws-adapter.js';

export const websocketAdapter: AdapterDefinition<WebSocketConfig> = {
  type: 'websocket',
  parseConfig: parseWebSocketConfig,
  create: (config, ctx) => new WebSocketAdapter(config, ctx),
};

export { WebSocketAdapter } from './ws-adapter.js';
export { mintToken } from './tokens.js';
export type { WebSocketConfig } from './config.js';
