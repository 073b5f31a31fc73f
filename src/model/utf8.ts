/**
 * UTF-8 well-formedness (RFC 3629): the only UTF-8 the gateway accepts or generates.
 * RFC 3862 3.6 admits the obsolete 5- and 6-octet forms; spec/cpim.md 2.4 (h) says to
 * generate RFC 3629 UTF-8 only, and TextDecoder with `fatal` rejects those forms too.
 */
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Offset of the first ill-formed octet in bytes[start, end), or -1 when all is well-formed. */
export function firstInvalidUtf8(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let i = start;
  while (i < end) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return i;
    if (i + need >= end) return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/** Decodes well-formed UTF-8; throws a TypeError on ill-formed input. */
export function decodeUtf8Strict(bytes: Uint8Array): string {
  return strictDecoder.decode(bytes);
}
