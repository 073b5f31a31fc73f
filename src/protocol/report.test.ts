import { describe, expect, it } from 'vitest';
import type { Header } from './headers.js';
import { readReport, reportHeaders } from './report.js';

const op = (headers: Header[]) => ({ headers });
const REPORT: Header[] = [
  ['Report', 'expired'],
  ['Report-For', 'm-1'],
  ['Orig-Inbox', 'im:bob@gw.test'],
];

describe('readReport (one reader for the router, IRC, mail and web reports)', () => {
  it('reads kind, Report-For and Orig-Inbox of a report from a postmaster, of any domain', () => {
    expect(readReport(op([['Sender', 'im:postmaster@gw.test'], ...REPORT]))).toEqual({
      kind: 'expired',
      reportFor: 'm-1',
      origInbox: 'im:bob@gw.test',
    });
    // A peer gateway's postmaster speaks for its own domain (the router checked the Sender).
    expect(readReport(op([['Sender', ' IM:Postmaster@b.test '], ...REPORT]))?.kind).toBe('expired');
  });

  it('is no report from anyone else (draft §8.1): the same headers from a user are ignored', () => {
    expect(readReport(op([['Sender', 'im:carol@gw.test'], ...REPORT]))).toBeUndefined();
    expect(readReport(op([['Sender', 'im:postmaster.fake@gw.test'], ...REPORT]))).toBeUndefined();
    expect(
      readReport(op([['Sender', 'im:x@gw.test'], ['Orig-Sender', 'im:postmaster@gw.test'], ...REPORT])),
    ).toBeUndefined();
    expect(readReport(op(REPORT))).toBeUndefined();
  });

  it('is no report without a Report header, whoever sends', () => {
    expect(
      readReport(
        op([
          ['Sender', 'im:postmaster@gw.test'],
          ['Report-For', 'm-1'],
        ]),
      ),
    ).toBeUndefined();
  });

  it('trims and lowercases the kind; empty or missing Report-For and Orig-Inbox are undefined', () => {
    expect(
      readReport(
        op([
          ['Sender', 'im:postmaster@gw.test'],
          ['Report', ' Failed '],
          ['Report-For', '  '],
        ]),
      ),
    ).toEqual({ kind: 'failed', reportFor: undefined, origInbox: undefined });
    // Present but empty is still a report: a report is never reported in turn.
    expect(
      readReport(
        op([
          ['Sender', 'im:postmaster@gw.test'],
          ['Report', ''],
        ]),
      )?.kind,
    ).toBe('');
  });

  it('reads what reportHeaders writes', () => {
    const headers: Header[] = [
      ['Sender', 'im:postmaster@irc.test'],
      ...reportHeaders('failed', 'q-7', 'im:#dev@irc.test'),
    ];
    expect(readReport(op(headers))).toEqual({
      kind: 'failed',
      reportFor: 'q-7',
      origInbox: 'im:#dev@irc.test',
    });
  });
});
