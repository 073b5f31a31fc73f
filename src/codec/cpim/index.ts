/**
 * Message/CPIM codec (RFC 3862): the public front door.
 *
 * - `parseCpim(bytes, { startsWith, mode, role, nested })` → accept / accept-with-warning /
 *   policy (with the message) or reject (reason, rule, position). Never throws.
 * - `serializeCpim(message)` → the message's octets, unchanged (relays never re-serialize).
 * - `buildCpim(input)` → a new message written exactly as RFC 3862 allows.
 * - `unmetRequirements(message, understood)` → Require entries a receiver cannot honour (3.5).
 * - `inspectCpim(bytes, { lenient })` → plain JSON shaped like the vectors' expected files.
 */
export { parseCpim } from './parse.js';
export { buildCpim, serializeCpim } from './serialize.js';
export type { CpimAddressInput, CpimBuildInput } from './serialize.js';
export { requirementFailureReason, unmetRequirements } from './require.js';
export { inspectCpim } from './inspect.js';
export { withCpimFacts } from './facts.js';
export type { CpimFacts, CpimPayload } from './facts.js';
export type {
  CpimInspectHeader,
  CpimInspectOptions,
  CpimInspectReport,
  CpimInspectSemantics,
} from './inspect.js';
export { decodeEscapes, escapeText } from './escape.js';
export { CORE_HEADER_NAMES, CORE_NAMESPACE } from './types.js';
export type {
  CpimAddress,
  CpimFeature,
  CpimHeader,
  CpimHeaderKind,
  CpimMessage,
  CpimMode,
  CpimNamespaceDecl,
  CpimParam,
  CpimParseOptions,
  CpimParseResult,
  CpimPolicy,
  CpimRequirement,
  CpimRole,
  CpimSemantics,
  CpimStart,
  CpimSubject,
  CpimWarning,
  MimeHeader,
} from './types.js';
export { claimedAuthorNote, shownAuthor, DEFAULT_MISMATCHED_FROM } from './claimed-author.js';
export type { MismatchedFromPolicy } from './claimed-author.js';
export {
  FALLBACK_RANGES_MAX,
  MSG_ID_MAX,
  MSG_NS,
  MSG_PREFIX,
  REACTION_KEY_MAX,
  hasRelation,
  isMsgId,
  readFallback,
  readRelations,
  relationHeaders,
  requiredRelationNames,
  stripFallback,
  unmetRequireAction,
} from './relations.js';
export type {
  FallbackRange,
  MessagePart,
  Reaction,
  ReactionOp,
  RelationHeaders,
  Relations,
} from './relations.js';
export {
  QUOTE_CHARS,
  editFallback,
  reactionFallback,
  replyFallback,
  retractionFallback,
  quoteSnippet,
} from './relation-fallbacks.js';
export type { FallbackBody } from './relation-fallbacks.js';
