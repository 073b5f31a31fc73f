/**
 * Shared settings and tools of the fuzz layer (issue 13, "Fuzzing in CI"; docs/testing.md
 * "Fuzzing"). Every `*.fuzz.test.ts` runs its properties through `fuzz()`, so one set of
 * environment variables decides how hard all of them push:
 *
 *   FUZZ_RUNS     runs per property (default 60: the whole layer stays a few seconds of `npm test`)
 *   FUZZ_SEED     fast-check's seed (it prints the seed and the path of every failure: pass both
 *                 back, FUZZ_SEED and FUZZ_PATH, to replay exactly that counterexample)
 *   FUZZ_PATH     fast-check's replay path (only with FUZZ_SEED)
 *   FUZZ_SECONDS  stop each property after this many seconds (fast-check interruptAfterTimeLimit);
 *                 an interrupted property still passes if nothing failed so far
 *   FUZZ_REPORT   a file to which each property appends one JSON line: its name and how many
 *                 runs it made (`npm run fuzz`, scripts/fuzz.ts, prints the totals)
 */
import { appendFileSync } from 'node:fs';
import fc from 'fast-check';
import { expect } from 'vitest';

function envInt(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text.trim() === '') return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new Error(`${name} must be an integer, got "${text}"`);
  return n;
}

const RUNS = envInt('FUZZ_RUNS') ?? 60;
const SEED = envInt('FUZZ_SEED');
const PATH = process.env.FUZZ_PATH;
const SECONDS = envInt('FUZZ_SECONDS');

/** The per-test timeout for a fuzz test: room for its time limit, or vitest's usual 20 s. */
export const FUZZ_TIMEOUT = SECONDS === undefined ? 20_000 : SECONDS * 1000 * 4 + 60_000;

/** fast-check parameters from the environment; `weight` scales the run count for cheap properties. */
export function fuzzParameters<T>(weight = 1): fc.Parameters<T> {
  return {
    numRuns: Math.max(1, Math.round(RUNS * weight)),
    ...(SEED === undefined ? {} : { seed: SEED }),
    ...(SEED !== undefined && PATH !== undefined && PATH !== '' ? { path: PATH } : {}),
    ...(SECONDS === undefined
      ? {}
      : { interruptAfterTimeLimit: SECONDS * 1000, markInterruptAsFailure: false }),
  };
}

/**
 * Runs one property with the shared settings. A failure throws fast-check's own report (seed,
 * path, counterexample, the error), so it is reproducible with FUZZ_SEED and FUZZ_PATH.
 */
export function fuzz<T>(property: fc.IProperty<T>, weight = 1): void {
  settle(fc.check(property, fuzzParameters<T>(weight)));
}

/** `fuzz` for properties that talk to real servers (fc.asyncProperty). */
export async function fuzzAsync<T>(property: fc.IAsyncProperty<T>, weight = 1): Promise<void> {
  settle(await fc.check(property, fuzzParameters<T>(weight)));
}

function settle<T>(details: fc.RunDetails<T>): void {
  const report = process.env.FUZZ_REPORT;
  if (report !== undefined && report !== '') {
    const name = expect.getState().currentTestName ?? '(unnamed)';
    appendFileSync(
      report,
      JSON.stringify({
        name,
        runs: details.numRuns,
        interrupted: details.interrupted,
        failed: details.failed,
        seed: details.seed,
      }) + '\n',
    );
  }
  if (details.failed) {
    const cause = details.errorInstance;
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new Error(`${fc.defaultReportMessage(details) ?? 'property failed'}\n\nGot: ${why}`, { cause });
  }
}

// ---------------------------------------------------------------------------------------------
// Mutations of valid inputs: the operators every decoder's fuzz file shares.

/** Octets that mean something to one of our grammars, or that no grammar allows. */
export const INTERESTING_BYTES = [
  0x00, 0x09, 0x0a, 0x0d, 0x20, 0x22, 0x26, 0x27, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x5c, 0x7b, 0x7d, 0x2c, 0x2e,
  0x2f, 0x3f, 0x23, 0x25, 0x7f, 0x80, 0xbf, 0xc0, 0xc3, 0xe2, 0xef, 0xf0, 0xf8, 0xfe, 0xff,
];

/** Text that commonly breaks parsers: line ends, NUL, huge and odd numbers, bad UTF-8. */
export const INTERESTING_SNIPPETS: readonly Uint8Array[] = [
  '\r\n',
  '\n',
  '\r',
  '\u0000',
  '\r\n\r\n',
  '9007199254740993',
  '99999999999999999999999999',
  '-1',
  '1e308',
  '0x10',
  ' ',
  '\t',
  '""',
  '\\',
  '\u2028',
  '\ufeff',
  '%00',
  '%zz',
]
  .map((s) => Buffer.from(s, 'utf8') as Uint8Array)
  .concat([
    Uint8Array.of(0xc3),
    Uint8Array.of(0xed, 0xa0, 0x80),
    Uint8Array.of(0xf4, 0x90, 0x80, 0x80),
    Uint8Array.of(0xff, 0xfe),
  ]);

export type Mutation =
  | { readonly op: 'flip'; readonly at: number; readonly bit: number }
  | { readonly op: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly op: 'delete'; readonly at: number; readonly count: number }
  | { readonly op: 'set'; readonly at: number; readonly byte: number }
  | { readonly op: 'dup-line' | 'drop-line'; readonly at: number }
  | { readonly op: 'swap-lines'; readonly at: number; readonly other: number }
  | { readonly op: 'number'; readonly at: number; readonly digits: string }
  | { readonly op: 'repeat'; readonly at: number; readonly count: number; readonly times: number }
  | { readonly op: 'truncate'; readonly at: number };

const HUGE_NUMBERS = [
  '0',
  '9007199254740993',
  '18446744073709551616',
  '99999999999999999999999',
  '-1',
  '1.5',
];

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.oneof(
      fc.constantFrom(...INTERESTING_SNIPPETS),
      fc.constantFrom(...INTERESTING_BYTES).map((b) => Uint8Array.of(b)),
      fc.uint8Array({ minLength: 1, maxLength: 8 }),
    ),
  }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), byte: fc.constantFrom(...INTERESTING_BYTES) }),
  fc.record({ op: fc.constantFrom('dup-line' as const, 'drop-line' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('swap-lines' as const), at: fc.nat(), other: fc.nat() }),
  fc.record({ op: fc.constant('number' as const), at: fc.nat(), digits: fc.constantFrom(...HUGE_NUMBERS) }),
  fc.record({
    op: fc.constant('repeat' as const),
    at: fc.nat(),
    count: fc.integer({ min: 1, max: 12 }),
    times: fc.integer({ min: 2, max: 64 }),
  }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
);

function lines(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0a) {
      out.push(bytes.subarray(start, i + 1));
      start = i + 1;
    }
  }
  if (start < bytes.length) out.push(bytes.subarray(start));
  return out;
}

/** Applies one mutation (positions wrap around the input's length, so every one applies). */
export function applyMutation(input: Uint8Array, m: Mutation): Buffer {
  const b = Buffer.from(input);
  const at = m.at % (b.length + 1);
  switch (m.op) {
    case 'flip': {
      if (b.length === 0) return b;
      const i = m.at % b.length;
      b[i] = b[i]! ^ (1 << m.bit);
      return b;
    }
    case 'insert':
      return Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
    case 'delete':
      return Buffer.concat([b.subarray(0, at), b.subarray(at + m.count)]);
    case 'set':
      if (b.length === 0) return Buffer.from([m.byte]);
      b[m.at % b.length] = m.byte;
      return b;
    case 'dup-line':
    case 'drop-line': {
      const ls = lines(b);
      if (ls.length === 0) return b;
      const i = m.at % ls.length;
      if (m.op === 'dup-line') ls.splice(i, 0, ls[i]!);
      else ls.splice(i, 1);
      return Buffer.concat(ls);
    }
    case 'swap-lines': {
      const ls = lines(b);
      if (ls.length < 2) return b;
      const i = m.at % ls.length;
      const j = m.other % ls.length;
      [ls[i], ls[j]] = [ls[j]!, ls[i]!];
      return Buffer.concat(ls);
    }
    case 'number': {
      // Replace the digit run at or after `at` (a length, a count, a port) by another number.
      let s = at;
      while (s < b.length && (b[s]! < 0x30 || b[s]! > 0x39)) s++;
      if (s >= b.length) return b;
      let e = s;
      while (e < b.length && b[e]! >= 0x30 && b[e]! <= 0x39) e++;
      return Buffer.concat([b.subarray(0, s), Buffer.from(m.digits), b.subarray(e)]);
    }
    case 'repeat': {
      const piece = b.subarray(at, at + m.count);
      return Buffer.concat([b.subarray(0, at), ...Array<Buffer>(m.times).fill(piece), b.subarray(at)]);
    }
    case 'truncate':
      return b.subarray(0, at);
  }
}

/** A valid input from `inputs`, changed by 1 to `maxEdits` mutations. */
export function mutatedFrom(inputs: readonly Uint8Array[], maxEdits = 4): fc.Arbitrary<Buffer> {
  if (inputs.length === 0) throw new Error('mutatedFrom needs at least one valid input');
  return fc
    .tuple(fc.constantFrom(...inputs), fc.array(mutationArb, { minLength: 1, maxLength: maxEdits }))
    .map(([input, ms]) => ms.reduce<Buffer>((acc, m) => applyMutation(acc, m), Buffer.from(input)));
}

/** Bytes built from a grammar's tokens and random octets: closer to valid than plain noise. */
export function tokenSoup(tokens: readonly string[], maxParts = 40): fc.Arbitrary<Buffer> {
  return fc
    .array(
      fc.oneof(
        fc.constantFrom(...tokens).map((t) => Buffer.from(t, 'utf8')),
        fc.constantFrom(...INTERESTING_SNIPPETS).map((s) => Buffer.from(s)),
        fc.uint8Array({ maxLength: 6 }).map((u) => Buffer.from(u)),
      ),
      { maxLength: maxParts },
    )
    .map((parts) => Buffer.concat(parts));
}

/** Cut points for feeding one input to an incremental decoder in pieces. */
export const cutsArb = fc.array(fc.nat(), { maxLength: 12 });

/** `bytes` split at the given cut points (taken modulo its length), in order, empty pieces kept. */
export function splitAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let last = 0;
  for (const p of points) {
    pieces.push(bytes.subarray(last, p));
    last = p;
  }
  pieces.push(bytes.subarray(last));
  return pieces;
}

/** True when `bytes` is valid UTF-8 (some decoders promise valid text out of any input). */
export function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}
