import { describe, expect, it } from 'vitest';
import { parseCpim } from './codec/cpim/index.js';
import { readReport } from './protocol/index.js';
import { reportSend } from './report-send.js';

describe('reportSend (a delivery report an adapter sends, part 4 row 34)', () => {
  it('comes from the postmaster of the domain, reads back with readReport, and its body says why', () => {
    const r = reportSend({
      domain: 'irc.test',
      to: 'im:alice@gw.test',
      inbox: 'im:#dev@irc.test',
      id: 'q-7',
      kind: 'failed',
      text: 'Your message to im:#dev@irc.test was not delivered: 404 no such channel.',
    });
    expect([r.sender, r.inbox, r.contentType]).toEqual([
      'im:postmaster@irc.test',
      'im:alice@gw.test',
      'message/cpim',
    ]);
    expect(readReport({ headers: [['Sender', r.sender], ...r.headers] })).toEqual({
      kind: 'failed',
      reportFor: 'q-7',
      origInbox: 'im:#dev@irc.test',
    });
    const parsed = parseCpim(r.payload, { startsWith: 'cpim-headers' });
    if (parsed.result === 'reject') throw new Error('the payload is no Message/CPIM');
    expect(parsed.message.semantics.from?.uri).toBe('im:postmaster@irc.test');
    expect(Buffer.from(parsed.message.body).toString()).toContain('404 no such channel');
  });
});
