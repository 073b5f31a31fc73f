/**
 * Hudson's `application/presence` format (draft-hudson-impp-pidf-proposal-01): the front door of
 * the codec. parse.ts reads it, serialize.ts writes it, types.ts holds the document model.
 */
export * from './types.js';
export { parsePresenceText } from './parse.js';
export { serializePresenceText } from './serialize.js';
