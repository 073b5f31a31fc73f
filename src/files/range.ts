/**
 * One byte range of a Range header (RFC 9233 14.1.2): `bytes=first-last`, `bytes=first-` or
 * `bytes=-suffix`. Several ranges, or a unit other than bytes, are ignored (14.2: a server MAY
 * ignore Range) and the whole file is served; a range that starts past the end is unsatisfiable
 * (416, 15.5.17). Pure.
 */
export type RangeResult =
  | { readonly kind: 'whole' }
  | { readonly kind: 'part'; readonly start: number; readonly end: number }
  | { readonly kind: 'unsatisfiable' };

export function parseRange(header: string | undefined, size: number): RangeResult {
  if (header === undefined) return { kind: 'whole' };
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (m === null) return { kind: 'whole' };
  const [, a, b] = m as unknown as [string, string, string];
  if (a === '' && b === '') return { kind: 'whole' };
  if (a === '') {
    // A suffix: the last b octets (14.1.2); `-0` asks for nothing.
    const n = Number(b);
    if (n === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'part', start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (b !== '' && Number(b) < start) return { kind: 'whole' }; // invalid: ignored (14.1.1)
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'part', start, end };
}
