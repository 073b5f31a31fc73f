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
export { parseCpim } from './cpim-parse.js';
export { buildCpim, serializeCpim } from './cpim-serialize.js';
export type { CpimAddressInput, CpimBuildInput } from './cpim-serialize.js';
export { requirementFailureReason, unmetRequirements } from './cpim-require.js';
export { inspectCpim } from './cpim-inspect.js';
export { cpimFacts, recordCpimFacts } from './cpim-known.js';
export type { CpimFacts } from './cpim-known.js';
export type {
  CpimInspectHeader,
  CpimInspectOptions,
  CpimInspectReport,
  CpimInspectSemantics,
} from './cpim-inspect.js';
export { decodeEscapes, escapeText } from './cpim-escape.js';
export { CORE_HEADER_NAMES, CORE_NAMESPACE } from './cpim-types.js';
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
} from './cpim-types.js';
