import { describe, expect, it } from 'vitest';
import { MessageIds, getHeader } from '../../src/index.js';
import { NO_CAPS } from './caps.js';
import { deletionPlan, redactFailure, redactOf } from './redact.js';

describe('IRC deletions (message-redaction)', () => {
  it('plans REDACT where the cap and the msgid are known, else the fallback, the text line or nothing', async () => {
    const ids = new MessageIds(null, 't', { maxPairs: 10 });
    await ids.record('srv-1', 'gw-1');
    const v3 = { ...NO_CAPS, messageTags: true, redaction: true };
    expect(deletionPlan({ retracts: 'gw-1' }, v3, ids, 'drop', 'carol')).toEqual({
      kind: 'redact',
      msgid: 'srv-1',
    });
    expect(deletionPlan({ retracts: 'gw-2' }, v3, ids, 'drop', 'carol')).toMatchObject({
      kind: 'drop',
      why: expect.stringMatching(/msgid/),
    });
    expect(deletionPlan({ retracts: 'gw-1' }, NO_CAPS, ids, 'drop', 'carol')).toMatchObject({
      kind: 'drop',
      why: expect.stringMatching(/REDACT/),
    });
    expect(deletionPlan({ retracts: 'gw-1' }, NO_CAPS, ids, 'text', 'carol')).toEqual({
      kind: 'text',
      text: '* carol deleted a message',
    });
    expect(deletionPlan({ retracts: 'gw-1', shown: true }, NO_CAPS, ids, 'text', 'carol')).toEqual({
      kind: 'none',
    });
  });

  it('reads FAIL REDACT as the answer of the send, and an inbound REDACT', () => {
    const f = redactFailure('@label=x :irc.test FAIL REDACT REDACT_FORBIDDEN #dev abc :You may not');
    expect(f?.target).toBe('#dev');
    expect(getHeader(f!.answer.headers, 'Error-Type')).toBe('target-authorization');
    expect(getHeader(f!.answer.headers, 'Error-Description')).toMatch(/REDACT_FORBIDDEN: You may not/);
    const u = redactFailure(':irc.test FAIL REDACT UNKNOWN_MSGID #dev zzz :No such message');
    expect(getHeader(u!.answer.headers, 'Error-Type')).toBe('target-not-found');
    expect(redactFailure(':irc.test FAIL CHATHISTORY INVALID_TARGET #dev :no')).toBeNull();
    expect(redactOf('@time=x :dave!d@h REDACT #dev srv-1 :typo')).toEqual({
      nick: 'dave',
      target: '#dev',
      msgid: 'srv-1',
    });
    expect(redactOf(':dave!d@h REDACT #dev')).toBeNull();
    expect(redactOf(':dave!d@h PRIVMSG #dev :REDACT')).toBeNull();
  });
});
