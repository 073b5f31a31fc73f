/**
 * The HTTP boundary (issue 13) now lives in the core (src/http-boundary.ts), shared with the
 * operations endpoint (issue 14); the web adapter's files and tests keep importing it from here.
 */
export {
  answerClientError,
  duplicateHost,
  guardRequest,
  guardUpgrade,
  refuseUpgrade,
  requestPath,
  upgraded,
} from '../../src/index.js';
