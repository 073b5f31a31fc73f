/** The protocol schemas: protocol.schema.json is generated from them and must stay in step. */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { protocolJsonSchema, readClientFrame } from './protocol.js';

const SCHEMA_FILE = fileURLToPath(new URL('./protocol.schema.json', import.meta.url));

describe('web chat protocol', () => {
  it('protocol.schema.json matches the zod schemas (UPDATE_SCHEMA=1 rewrites it)', () => {
    const generated = protocolJsonSchema();
    if (process.env.UPDATE_SCHEMA === '1')
      writeFileSync(SCHEMA_FILE, JSON.stringify(generated, null, 2) + '\n');
    expect(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'))).toEqual(generated);
  });

  it('reads every client frame type', () => {
    const frames = [
      { type: 'auth', v: 1, token: 't' },
      { type: 'send', id: 'a', to: 'bob', text: 'hi' },
      { type: 'send', id: 'b', room: 'lobby', text: 'hi' },
      { type: 'join', id: 'c', room: 'lobby' },
      { type: 'leave', id: 'd', room: 'lobby' },
      { type: 'presence', id: 'e', state: 'away', note: 'out' },
      { type: 'watch', id: 'f', who: 'im:x@y' },
      { type: 'unwatch', id: 'g', who: 'bob' },
      { type: 'ack', delivery: 'd1' },
    ];
    for (const f of frames) expect(readClientFrame(JSON.stringify(f))).toEqual({ ok: true, frame: f });
  });

  it('names the problem and keeps the id of a bad frame', () => {
    expect(readClientFrame('{"type":"send","id":"x1","to":"bob","text":""}')).toMatchObject({
      ok: false,
      error: { code: 'bad-frame', id: 'x1', path: 'text' },
    });
    expect(readClientFrame('{"type":"send","id":"x2","text":"t"}')).toMatchObject({
      ok: false,
      error: { code: 'bad-frame', message: 'send: give exactly one of "to" and "room"' },
    });
    expect(readClientFrame('null')).toMatchObject({ ok: false, error: { code: 'bad-frame' } });
    expect(readClientFrame('{"type":"__proto__"}')).toMatchObject({
      ok: false,
      error: { code: 'unknown-type' },
    });
  });
});
