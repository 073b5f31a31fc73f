/**
 * The core's front door for adapters (design.md parts 3-5): the model, the codecs, the errors,
 * the adapter contract and the operation shapes. Adapters import from here and nowhere else
 * in src/.
 */
export * from './model/index.js';
export * from './errors.js';
export type * from './adapter.js';
export type { Logger } from './log.js';
export {
  addHeader,
  errorAnswer,
  getHeader,
  getHeaders,
  okAnswer,
  setHeader,
  type Answer,
  type Capabilities,
  type Header,
  type Headers,
  type Operation,
} from './router/index.js';
export * from './codec/cpim.js';
export * from './codec/pidf.js';
export { parseCheck } from './config/adapter-config.js';
export * as configFields from './config/fields.js';
export * from './policy/index.js';
