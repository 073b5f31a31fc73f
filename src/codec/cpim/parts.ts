/**
 * The objects a Message/CPIM parse returns (types.ts: CpimHeader, MimeHeader, CpimMessage),
 * with their views into the input (`raw`, `separators`, `body`) made on first use and kept.
 *
 * Why: a view is a typed-array object (about 50 ns to make); a chat line has nine of them and
 * most readers touch one (the body) or none, while a relay serialises from `raw` (RFC 3862 2.2:
 * octets preserved). Issue 18 measured these views at a quarter of the parse. A getter returns
 * exactly what the field held before (the same octets, the same view on every read); only
 * copying by spread or structured clone, which nothing does with a parse result, would not
 * carry them.
 */
import type { CpimHeader, CpimHeaderKind, CpimMessage, CpimParseResult, CpimSemantics } from './types.js';
import type { CpimParam, CpimStart, MimeHeader } from './types.js';

/** One CPIM header line; `raw` is [offset, next) of the input, terminator included. */
export class CpimHeaderLine implements CpimHeader {
  readonly #input: Uint8Array;
  readonly #next: number;
  #raw: Uint8Array | undefined = undefined;

  constructor(
    input: Uint8Array,
    readonly offset: number,
    next: number,
    readonly lineEnd: 'CRLF' | 'LF',
    readonly rawName: string,
    readonly prefix: string | null,
    readonly namespace: string | null,
    readonly name: string,
    readonly params: readonly CpimParam[],
    readonly value: string,
    readonly decoded: string,
    readonly kind: CpimHeaderKind,
    readonly parsed: CpimHeader['parsed'],
  ) {
    this.#input = input;
    this.#next = next;
  }

  get raw(): Uint8Array {
    return (this.#raw ??= this.#input.subarray(this.offset, this.#next));
  }
}

/** One MIME header (continuation lines included); `raw` is [offset, end) of the input. */
export class MimeHeaderLines implements MimeHeader {
  readonly #input: Uint8Array;
  readonly #end: number;
  #raw: Uint8Array | undefined = undefined;

  constructor(
    input: Uint8Array,
    readonly offset: number,
    end: number,
    readonly name: string,
    readonly value: string,
  ) {
    this.#input = input;
    this.#end = end;
  }

  get raw(): Uint8Array {
    return (this.#raw ??= this.#input.subarray(this.offset, this.#end));
  }
}

/** A parsed message; `separators` and `body` are cut from the input on first read. */
export class ParsedCpimMessage implements CpimMessage {
  readonly #input: Uint8Array;
  readonly #spans: readonly number[];
  #separators: readonly Uint8Array[] | undefined = undefined;
  #body: Uint8Array | undefined = undefined;
  declare readonly inner?: CpimParseResult;

  /**
   * `spans` holds [start, end) pairs of the separators in order (two or three pairs); the body
   * runs from the end of the last one to the end of the input.
   */
  constructor(
    input: Uint8Array,
    readonly startsWith: CpimStart,
    readonly lineEnding: 'CRLF' | 'LF' | 'mixed',
    readonly mimeHeaders: readonly MimeHeader[],
    readonly headers: readonly CpimHeader[],
    readonly contentHeaders: readonly MimeHeader[],
    spans: readonly number[],
    readonly semantics: CpimSemantics,
    inner?: CpimParseResult,
  ) {
    this.#input = input;
    this.#spans = spans;
    if (inner !== undefined) this.inner = inner;
  }

  get separators(): readonly Uint8Array[] {
    if (this.#separators === undefined) {
      const s = this.#spans;
      const out: Uint8Array[] = [];
      for (let i = 0; i < s.length; i += 2) out.push(this.#input.subarray(s[i], s[i + 1]));
      this.#separators = out;
    }
    return this.#separators;
  }

  get body(): Uint8Array {
    return (this.#body ??= this.#input.subarray(this.#spans[this.#spans.length - 1]));
  }
}
