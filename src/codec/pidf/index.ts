/**
 * PIDF, `application/pidf+xml` (RFC 3863): the front door of the codec.
 *
 *   parsePidf / createPidfParser  bytes → PidfDocument (+ warnings), strict or lenient
 *   buildPidf                     PidfBuildInput → document text (never zero tuples)
 *   inspectPidf                   bytes → plain JSON in the vectors' field names (CLI)
 *   isNewer, isExtensionUsable    RFC 3863 6 (outdated presence) and 4.2.3 (mustUnderstand)
 */
export { createPidfParser, parsePidf } from './parse.js';
export type { PidfParser } from './parse.js';
export { buildPidf } from './build.js';
export { describePidf, inspectPidf } from './inspect.js';
export type { InspectPosition, InspectTuple, InspectWarning, PidfInspectReport } from './inspect.js';
export {
  PIDF_MAX_DEPTH,
  PIDF_NS,
  XML_NS,
  directText,
  hasMustUnderstand,
  isAbsoluteUri,
  isExtensionUsable,
  isNcName,
  isNewer,
  isQvalue,
  newestTimestamp,
  parseQvalue,
  timestampMillis,
} from './types.js';
export type {
  Basic,
  PidfBuildInput,
  PidfContact,
  PidfDocument,
  PidfNote,
  PidfParseOptions,
  PidfParseResult,
  PidfTuple,
  PidfTupleInput,
  PidfWarning,
  Understands,
  XmlAttribute,
  XmlChild,
  XmlElement,
} from './types.js';
