/**
 * Issue 13 defect 3 on the email adapter's outbound mail: the From display name names the
 * authenticated author, never the inner CPIM From of someone else; a forged Orig-Sender sends
 * no mail at all.
 */
import { describe, expect, it } from 'vitest';
import { buildCpim } from '../../src/index.js';
import { useMailSink } from '../support/mail-sink.js';
import { h, MAIL, useEmailGateways } from '../support/email-gateway.js';
import { sendText } from '../support/hub-calls.js';

const DAVE_URI = `im:%22mailto=dave%40elsewhere.test%22@${MAIL}`;

describe('identity on outbound mail (issue 13 defect 3)', () => {
  const smtp = useMailSink();
  const startGateway = useEmailGateways();

  it('names the real author in From, with the claimed name after it; a forged Orig-Sender is refused', async () => {
    const s = smtp.sink;
    const eg = await startGateway({
      outbound: { transport: 'smtp', host: '127.0.0.1', port: s.port, timeoutMs: 5000 },
    });
    const bob = await eg.gw.client('bob', 'imtp', () => ({ status: 'ok', headers: [] }));
    const forgedOrig = await sendText(bob, 'im:bob@gw.test', DAVE_URI, 'from alice, honest', [
      ['Orig-Sender', 'im:alice@gw.test'],
    ]);
    expect(h(forgedOrig.headers, 'Error-Type')).toBe('source-authorization');

    const cpim = buildCpim({
      startsWith: 'cpim-headers',
      from: { formalName: 'Alice Liddell', uri: 'im:alice@gw.test' },
      to: [{ uri: DAVE_URI }],
      dateTime: new Date(),
      contentHeaders: [['Content-Type', 'text/plain; charset=UTF-8']],
      body: 'wire the money',
    });
    const r = await sendText(bob, 'im:bob@gw.test', DAVE_URI, cpim, [['Content-Type', 'message/cpim']]);
    expect(r.status).toBe('ok');
    const [mail] = await s.waitFor(1);
    expect(mail!.parsed.from?.value[0]).toEqual({
      name: 'bob (as "Alice Liddell") (IM gw.test)',
      address: `bob=gw.test@${MAIL}`,
    });
    expect(mail!.parsed.text).toContain('wire the money');
    // The refused send produced no mail: the one mail is the second send's.
    expect(s.mails).toHaveLength(1);
    await bob.close();
  });
});
