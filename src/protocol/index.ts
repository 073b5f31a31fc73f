/**
 * The one IMTP/PITP vocabulary (draft-hudson-impp-transfer-proposal-01, spec/hub-protocol.md):
 * headers, Astrength, the header value grammars, the method table and the answer shape. Used by
 * the hub's wire code, the router's in-process port, federation and (through src/index.ts) the
 * adapters. Depends only on src/model and src/errors; does no I/O (docs/architecture.md part 4).
 */
export { ERROR_TYPES, type ErrorType } from '../errors.js';
export * from './headers.js';
export * from './strength.js';
export * from './header-values.js';
export * from './methods.js';
export * from './answer.js';
export * from './tally.js';
export * from './extensions.js';
export * from './message-id.js';
export * from './report.js';
