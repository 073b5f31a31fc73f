/**
 * The core's front door for adapters (docs/architecture.md parts 3-5): the model, the codecs, the errors,
 * the adapter contract, the operation shape and the protocol vocabulary (src/protocol). Adapters import from here and nowhere else
 * in src/.
 */
export * from './model/index.js';
export {
  addHeader,
  errorAnswer,
  getHeader,
  getHeaders,
  isMessageId,
  MESSAGE_ID_HEADER,
  MESSAGE_ID_MAX,
  newMessageId,
  okAnswer,
  ORIG_INBOX_HEADER,
  readReport,
  reportHeaders,
  REPORT_EXPIRED,
  REPORT_FAILED,
  REPORT_FOR_HEADER,
  REPORT_HEADER,
  setHeader,
  STORED_HEADER,
  STORED_HISTORY,
  STORED_OFFLINE,
  STORED_QUEUED,
  strengthRank,
  type Answer,
  type Header,
  type Headers,
  type Report,
  type Strength,
} from './protocol/index.js';
export * from './errors.js';
export type * from './adapter.js';
export type { Logger } from './log.js';
export type { Capabilities, Operation } from './router/index.js';
export * from './codec/cpim/index.js';
export * from './codec/pidf/index.js';
export { parseCheck } from './config/adapter-config.js';
export * as configFields from './config/fields.js';
export * from './mime/index.js';
export * from './policy/index.js';
export * from './http-boundary.js';
export { reportSend, type ReportSend, type ReportSendOptions } from './report-send.js';
export type * from './store/types.js';
export { StoreError, type StoreFailure } from './store/errors.js';
export { directConversation } from './store/conversation.js';
// Issue 15: what adapters keep across restarts (puppet nicks, mail threads, message ids).
export { KeptMap, type KeptMapOptions } from './store/kept-map.js';
export { MessageIds, messageIdNamespace, type MessageIdsOptions } from './store/message-ids.js';
// Issue 17: the gateway's file store (attachments too large to travel inline, long texts).
export {
  FileRefusedError,
  type FileMeta,
  type FileRefusal,
  type FileStorePort,
  type StoredFile,
} from './files/types.js';
export {
  linkOf,
  offloadEntity,
  offloadFiles,
  refusedNote,
  type Offloaded,
  type RefusedFile,
  type RewrittenEntity,
} from './files/offload.js';
export { keepInlineFiles, type KeptInline } from './files/keep-inline.js';
