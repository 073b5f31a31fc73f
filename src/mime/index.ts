/** The core's MIME reading (RFC 2045-2049), rendering and formatting model, for adapters through src/index.ts. */
export {
  MIME_READ_DEFAULTS,
  MimeReadError,
  readMimeEntity,
  readableText,
  type MimeAttachment,
  type MimeReadLimits,
  type MimeTextPart,
  type ReadableEntity,
} from './readable.js';
export {
  IRC_TEXT_TYPE,
  attachmentLine,
  contentPlaceholder,
  normalizeLineEnds,
  renderContent,
  renderEntity,
  type RenderOptions,
  type RenderedContent,
} from './render.js';
export {
  PALETTE,
  hasFormatting,
  htmlToIrc,
  htmlToRuns,
  ircToHtml,
  isStyled,
  parseIrc,
  runsToHtml,
  stripIrc,
  type Run,
  type Style,
} from './format.js';
export { sizeText } from './attachment-line.js';
export {
  EXTERNAL_BODY,
  externalBodyContent,
  externalBodyPart,
  externalBodyType,
  fieldParams,
  readExternalBody,
  type ExternalLink,
} from './external-body.js';
export { buildMixed, type InlineFile, type MixedEntity } from './mixed.js';
