import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findPgDump } from './backup.js';

const dirs: string[] = [];
function folder(): string {
  const d = mkdtempSync(join(tmpdir(), 'pgdump-find-'));
  dirs.push(d);
  return d;
}
function program(path: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, 0o755);
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('findPgDump', () => {
  it('prefers pg_dump on PATH', () => {
    const bin = folder();
    const debian = folder();
    program(join(bin, 'pg_dump'));
    program(join(debian, '15', 'bin', 'pg_dump'));
    expect(findPgDump({ PATH: `/nonexistent:${bin}` }, debian)).toBe(join(bin, 'pg_dump'));
  });

  it("falls back to Debian's newest major version", () => {
    const debian = folder();
    program(join(debian, '9', 'bin', 'pg_dump'));
    program(join(debian, '15', 'bin', 'pg_dump'));
    mkdirSync(join(debian, '16', 'bin'), { recursive: true }); // a major without the client
    expect(findPgDump({ PATH: '' }, debian)).toBe(join(debian, '15', 'bin', 'pg_dump'));
  });

  it('is null when there is none', () => {
    expect(findPgDump({ PATH: folder() }, join(folder(), 'absent'))).toBeNull();
  });
});
