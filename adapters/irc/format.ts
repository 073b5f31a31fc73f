/**
 * IRC formatting (ircdocs "Formatting") ↔ the canonical form: the one formatting model lives in
 * the core (src/mime/format.ts, issue 20 "one rendering path"); the IRC adapter uses it from here.
 */
export {
  PALETTE,
  hasFormatting,
  htmlToIrc,
  ircToHtml,
  parseIrc,
  stripIrc,
  type Run,
  type Style,
} from '../../src/index.js';
