/**
 * Text that XML 1.0 can carry. Pure.
 *
 * XML 1.0 §2.2 `Char` excludes C0 controls other than TAB, LF and CR, lone surrogates, and U+FFFE /
 * U+FFFF; not even a character reference may name them (§4.1 WFC: Legal Character). One such
 * character in a stanza makes the server close the whole component stream with `not-well-formed`
 * (XML 1.0 §2.2; seen in bridges: matrix-bifrost#240, ejabberd#1180 with IRC's `\x02`/`\x03` codes), so every
 * text that came from another network goes through `xmlSafe` before the I/O layer serialises it.
 */
const NOT_XML_CHAR =
  // eslint-disable-next-line no-control-regex -- these are exactly the characters XML cannot carry
  /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `text` without the characters XML 1.0 cannot carry (removed, not replaced: IRC codes mean nothing here). */
export function xmlSafe(text: string): string {
  return text.replace(NOT_XML_CHAR, '');
}

/** True when `text` needs no change to be carried in XML. */
export function isXmlSafe(text: string): boolean {
  NOT_XML_CHAR.lastIndex = 0;
  const bad = NOT_XML_CHAR.test(text);
  NOT_XML_CHAR.lastIndex = 0;
  return !bad;
}
