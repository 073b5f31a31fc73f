import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sessionPeer } from './support/hub-test-app.js';
import { parseTranscript, runTranscript, type Transcript } from './support/transcript.js';

const dir = fileURLToPath(new URL('./transcripts/', import.meta.url));

export function loadTranscripts(): Transcript[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.imtp') || f.endsWith('.pitp'))
    .sort()
    .map((f) => parseTranscript(f, readFileSync(dir + f, 'utf8')));
}

const transcripts = loadTranscripts();

describe('transcripts against the session state machine', () => {
  for (const t of transcripts) {
    it(t.name, async () => {
      await runTranscript(t, sessionPeer(t));
    });
    it(`${t.name}, written one octet at a time`, async () => {
      await runTranscript(t, sessionPeer(t), { chunk: 1 });
    });
  }

  it('cover rows 3-23 and 30-33 of docs/hub-protocol.md part 3', () => {
    const covered = new Set(transcripts.flatMap((t) => t.rows));
    const wanted = [...Array.from({ length: 21 }, (_, i) => i + 3), 30, 31, 32, 33];
    expect(wanted.filter((r) => !covered.has(r))).toEqual([]);
  });

  it('every transcript names its rows', () => {
    expect(transcripts.filter((t) => t.rows.length === 0).map((t) => t.name)).toEqual([]);
  });
});
