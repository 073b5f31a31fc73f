/** The hot path's shortcuts give what the general code gives (docs/architecture.md part 11). */
import { describe, expect, it } from 'vitest';
import { withCpimFacts } from '../../src/index.js';
import { quickAck } from './handlers.js';
import { readClientFrame } from './protocol.js';
import { buildMessage, readMessage, userInbox } from './translate.js';

describe('websocket fast paths', () => {
  it('reads an ack frame as readClientFrame does, and leaves every other text to it', () => {
    const texts = [
      '{"type":"ack","delivery":"d1"}',
      '{"type":"ack","delivery":"d1z9.A_:-"}',
      `{"type":"ack","delivery":"${'x'.repeat(64)}"}`,
      `{"type":"ack","delivery":"${'x'.repeat(65)}"}`,
      '{"type":"ack","delivery":""}',
      '{"type":"ack","delivery":"}',
      '{"type":"ack","delivery":"a\\"b"}',
      '{"type":"ack","delivery":"a b"}',
      '{"type":"ack","delivery":"d1","x":1}',
      '{"type":"ack","delivery":"d1"} ',
      '{"type":"ack", "delivery":"d1"}',
    ];
    for (const t of texts) {
      const quick = quickAck(t);
      const read = readClientFrame(t);
      if (quick !== null) expect(read).toEqual({ ok: true, frame: quick });
    }
    expect(quickAck(texts[0]!)).toEqual({ type: 'ack', delivery: 'd1' });
    expect(quickAck(texts[3]!)).toBeNull();
  });

  it('reads a payload with attached facts as it reads the same octets parsed', () => {
    const from = userInbox('alice', 'web.test');
    const to = userInbox('bob', 'web.test');
    const now = new Date('2026-11-21T18:00:00.500Z');
    for (const text of ['hi', 'ünï 😀', 'a\r\nb']) {
      const payload = buildMessage(from, to, text, new Date('2026-01-02T03:04:05Z'));
      withCpimFacts(payload, {
        from: from.uri,
        dateTime: '2026-01-02T03:04:05Z',
        contentType: 'text/plain; charset=UTF-8',
        text,
      });
      for (const headers of [
        [
          ['Sender', 'im:room@gw.test'],
          ['Content-Type', 'message/cpim'],
        ] as const,
        [
          ['Sender', 'im:room@gw.test'],
          ['Orig-Sender', 'im:carol@irc.test'],
          ['Content-Type', 'message/cpim'],
        ] as const,
      ]) {
        const known = readMessage(headers, payload, now);
        const parsed = readMessage(headers, Buffer.from(payload), now);
        expect(known).toEqual(parsed);
      }
    }
  });
});
