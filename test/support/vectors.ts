/** The byte-exact test vectors in test/fixtures/vectors (copied from the project's shared spec). */
import { readFileSync, readdirSync } from 'node:fs';

export const VECTOR_DIR = new URL('../fixtures/vectors/', import.meta.url);

export interface VectorCase {
  readonly name: string;
  readonly kind: 'cpim' | 'pidf';
  readonly input: Buffer;
  readonly inputPath: string;
  readonly expected: Record<string, unknown> & {
    strict: { result: string; reason?: string; rule?: string };
    lenient?: { result: string; same_as?: string; [k: string]: unknown };
  };
}

export function vectorCases(kind?: 'cpim' | 'pidf'): VectorCase[] {
  return readdirSync(VECTOR_DIR)
    .filter((f) => /^expected-(cpim|pidf)-.*\.json$/.test(f))
    .sort()
    .map((f) => {
      const expected = JSON.parse(readFileSync(new URL(f, VECTOR_DIR), 'utf8')) as VectorCase['expected'];
      const inputPath = new URL(String(expected.input), VECTOR_DIR).pathname;
      return {
        name: f.replace(/^expected-|\.json$/g, ''),
        kind: f.startsWith('expected-cpim') ? ('cpim' as const) : ('pidf' as const),
        input: readFileSync(inputPath),
        inputPath,
        expected,
      };
    })
    .filter((c) => kind === undefined || c.kind === kind);
}
