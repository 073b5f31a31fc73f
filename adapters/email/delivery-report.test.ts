import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { readReport, type Operation } from '../../src/index.js';
import { bounceMail } from './delivery-report.js';

describe('bounce mail (RFC 3464)', () => {
  it('is a multipart/report with a delivery-status part, and no header injection', async () => {
    const op: Operation = {
      protocol: 'imtp',
      method: 'send',
      headers: [
        ['Sender', 'im:postmaster@gw.test'],
        ['Report', 'failed'],
        ['Report-For', 'x-1\r\nBcc: evil@example.org'],
        ['Orig-Inbox', 'im:bob@gw.test'],
      ],
    };
    const b = bounceMail(
      readReport(op)!,
      'mail.test',
      ['dave@elsewhere.test'],
      'Not delivered: 550.',
      new Date(0),
    );
    const parsed = await simpleParser(b.raw);
    expect(parsed.headers.get('content-type')).toMatchObject({
      value: 'multipart/report',
      params: { 'report-type': 'delivery-status' },
    });
    expect(parsed.from?.value[0]?.address).toBe('postmaster@mail.test');
    expect(parsed.text).toMatch(/^Not delivered: 550\./);
    const raw = b.raw.toString();
    // The id stays inside its field: no header line of its own.
    expect(raw).not.toMatch(/^Bcc:/im);
    expect(raw).toContain(
      'Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mail.test\r\n' +
        'X-Original-Message-ID: x-1 Bcc: evil@example.org\r\n\r\n' +
        'Final-Recipient: rfc822; bob@gw.test\r\nAction: failed\r\nStatus: 5.0.0\r\n',
    );
  });
});
