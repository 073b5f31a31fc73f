/**
 * Message/CPIM inputs for the codec's checklist tests (src/codec/cpim/checklist-*.test.ts): the
 * shipped vectors by name, messages built from header lines, and the accept/reject expectations.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { parseCpim } from '../../src/codec/cpim/index.js';
import type { CpimParseOptions, CpimParseResult } from '../../src/codec/cpim/index.js';

const DIR = new URL('../fixtures/vectors/', import.meta.url);
/** A shipped vector's octets, by name (without .txt). */
export const vector = (name: string): Buffer => readFileSync(new URL(`${name}.txt`, DIR));

/** A message with the given CPIM header lines, CRLF everywhere. */
export function msg(
  headers: string[],
  content = ['Content-Type: text/plain; charset=utf-8'],
  body = 'x',
): Buffer {
  const lines = ['Content-type: Message/CPIM', '', ...headers, '', ...content, '', ''];
  return Buffer.concat([Buffer.from(lines.join('\r\n'), 'utf8'), Buffer.from(body, 'utf8')]);
}

export function ok(r: CpimParseResult): Exclude<CpimParseResult, { result: 'reject' }> {
  if (r.result === 'reject')
    throw new Error(`rejected: ${r.reason} (${r.rule}) at ${r.position.line}:${r.position.column}`);
  return r;
}

export function rejects(input: Uint8Array, rule: string | RegExp, options: CpimParseOptions = {}): string {
  const r = parseCpim(input, options);
  expect(r.result).toBe('reject');
  if (r.result !== 'reject') return '';
  if (typeof rule === 'string') expect(r.rule).toBe(rule);
  else expect(r.rule).toMatch(rule);
  return r.reason;
}

export const from = 'From: <im:alice@example.com>';
export const to = 'To: <im:bob@example.com>';
