/**
 * Issue 18: a bare `ok` answer reaches a handler with `onPlainOk` without a frame being built;
 * everything it learns is what the full path would have given it.
 */
import { describe, expect, it } from 'vitest';
import type { Answer } from '../protocol/index.js';
import pino from 'pino';
import { FrameDecoder, decodeAll, type Frame, type FrameError, type FrameLimits } from './frame/index.js';
import { PendingCommands } from './pending-commands.js';
import { Session, type Notice } from './session.js';
import { plainOk } from './session-types.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

const STREAM =
  '<1 ok (send)\r\n\r\n' +
  '<2 ok (send)\r\nStored: offline\r\n\r\n' +
  '<3 ok (fetch)\r\nContent-Length: 2\r\n\r\nhi' +
  '<4 error (send)\r\nError-Type: quota\r\n\r\n' +
  '<5 ok (send)\r\nContent-Length: 0\r\n\r\n' +
  '<6 ok (send)\r\n\r\n' +
  '<7 ok (send)\r\nbad header\r\n\r\n' +
  '>8 send\r\n\r\n' +
  '<9 ok (listen)\r\n\r\n' +
  '<10  ok (send)\r\n\r\n' +
  '<11 ok(send)\r\n\r\n' +
  '<12\tok (send)\r\n\r\n' +
  '<123456789 ok (send)\r\n\r\n' +
  '<13 ok (send)\r\n\n';

function fastDecode(chunks: Buffer[], limits: Partial<FrameLimits> = {}): (Frame | FrameError)[] {
  const events: (Frame | FrameError)[] = [];
  const d = new FrameDecoder(
    {
      onFrame: (f) => void events.push(f),
      onFrameError: (e) => void events.push(e),
      onPlainOk: (id, method) => void events.push(plainOk(id, method)),
    },
    limits,
  );
  for (const c of chunks) d.push(c);
  d.end();
  return events;
}

describe('bare ok answers', () => {
  it('the decoder reports what the full path reports, split at any octet', () => {
    const whole = b(STREAM);
    const expected = decodeAll(whole).events;
    expect(fastDecode([whole])).toEqual(expected);
    for (let i = 1; i < whole.length; i++) {
      expect(fastDecode([whole.subarray(0, i), whole.subarray(i)])).toEqual(expected);
    }
    // The limits apply as on the full path: an id or a line too long.
    for (const limits of [{ maxIdLength: 8 }, { maxLineLength: 16 }]) {
      expect(fastDecode([whole], limits)).toEqual(decodeAll(whole, limits).events);
    }
  });

  it('the session hands them to `plainOk` with the context, other answers to `response`', () => {
    const plain: [string, string, unknown][] = [];
    const full: [string, unknown][] = [];
    const notices: Notice[] = [];
    const s = new Session<string>(
      { role: 'initiator', protocol: 'imtp' },
      {
        write: () => undefined,
        command: () => undefined,
        response: (r, ctx) => void full.push([r.id, ctx]),
        plainOk: (id, method, ctx) => void plain.push([id, method, ctx]),
        close: () => undefined,
        notice: (n) => void notices.push(n),
      },
    );
    // Commands before authentication: the session sends them (`sendCommand` checks only the grammar).
    const ids = ['a', 'b', 'c'].map((ctx) => s.sendCommand('listen', [['Inbox', 'im:a@b.c']], null, ctx));
    s.receive(
      b(`<${ids[0]} ok (listen)\r\n\r\n<${ids[1]} ok (listen)\r\nX: y\r\n\r\n<zz ok (listen)\r\n\r\n`),
    );
    s.receive(b(`<${ids[2]} ok (send)\r\n\r\n`));
    expect(plain).toEqual([
      [ids[0], 'listen', 'a'],
      [ids[2], 'send', 'c'],
    ]);
    expect(full).toEqual([[ids[1], 'b']]);
    expect(notices.map((n) => n.code)).toEqual(['unknown-response', 'method-mismatch']);
  });

  it('a relayed command gets a constant answer, a promised one the frame, a late one nothing', async () => {
    const pending = new PendingCommands(60_000, pino({ level: 'silent' }));
    const got: Answer[] = [];
    const relayed = pending.relayed('send', { answered: (a) => void got.push(a) });
    relayed.id = '1';
    pending.add(relayed);
    const promised = pending.create('send');
    promised.id = '2';
    pending.add(promised);
    pending.settleOk(relayed, '1', 'send');
    pending.settleOk(promised, '2', 'send');
    pending.settleOk(relayed, '1', 'send');
    expect(got).toEqual([{ status: 'ok', headers: [] }]);
    expect(Object.isFrozen(got[0])).toBe(true);
    expect(await promised.answer).toEqual(plainOk('2', 'send'));
    expect(pending.size).toBe(0);
    pending.stop();
  });
});
