/**
 * The repository's gateway.config.yaml says of itself that its values are the defaults, written
 * out, except where a comment says "not the default" (issue 14: its header claimed every key
 * showed its default, and it did not). Every value that differs from the schema's default must
 * carry that comment on its line or in the comment lines just above it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { defaultConfig } from '../src/config/load.js';

const TEXT = readFileSync(new URL('../gateway.config.yaml', import.meta.url), 'utf8');
const LINES = TEXT.split('\n');

/** Paths of the file's values that differ from the defaults (a list counts as one value). */
function differing(file: unknown, defaults: unknown, path: string[] = []): string[][] {
  if (file !== null && typeof file === 'object' && !Array.isArray(file))
    return Object.entries(file).flatMap(([k, v]) =>
      differing(v, (defaults as Record<string, unknown> | undefined)?.[k], [...path, k]),
    );
  return JSON.stringify(file) === JSON.stringify(defaults) ? [] : [path];
}

/** Whether the line of the key at `path` (found in order, section by section) is marked. */
function marked(path: string[]): boolean {
  let at = 0;
  for (const key of path) {
    const i = LINES.findIndex((l, n) => n >= at && new RegExp(`^\\s*(- )?${key}:|[{ ]${key}: `).test(l));
    if (i < 0) return false;
    at = i;
  }
  for (let n = at; n >= 0 && (n === at || LINES[n]!.trim().startsWith('#')); n--)
    if (LINES[n]!.includes('not the default')) return true;
  return false;
}

describe('gateway.config.yaml', () => {
  it('marks every value that is not the default', () => {
    const file = parse(TEXT) as Record<string, unknown>;
    const paths = differing(file, defaultConfig());
    // The test must see something: the clone's accounts, room and adapters differ.
    expect(paths.map((p) => p.join('.'))).toEqual(
      expect.arrayContaining(['hub.accounts', 'rooms', 'adapters', 'hub.sasl.allowPlainWithoutTls']),
    );
    expect(paths.filter((p) => !marked(p)).map((p) => p.join('.'))).toEqual([]);
  });
});
