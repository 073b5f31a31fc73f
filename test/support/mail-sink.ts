/**
 * The SMTP fixture: one real SMTP server (the recording sink of email.ts) per test file,
 * started in beforeAll and stopped in afterAll. After each test its mails are cleared and its
 * refusal rule is reset. Register it before the hooks that stop the gateways (hooks run in
 * reverse order), so that nothing a gateway still sends lands in the next test.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startMailSink, type MailSink } from './email.js';

export type Refusal = (rcpt: string) => { code: number; text: string } | null;

export interface MailSinkSuite {
  /** The running sink (its port, the mails received in this test). */
  readonly sink: MailSink;
  /** Until the end of the test, refuse recipients as `rule` says. */
  refuse(rule: Refusal): void;
}

export function useMailSink(): MailSinkSuite {
  let sink: MailSink | undefined;
  let rule: Refusal | undefined;
  beforeAll(async () => {
    sink = await startMailSink({ refuse: (rcpt) => rule?.(rcpt) ?? null });
  });
  afterAll(async () => {
    await sink?.stop();
  });
  afterEach(() => {
    sink?.mails.splice(0);
    rule = undefined;
  });
  return {
    get sink() {
      return sink!;
    },
    refuse(r) {
      rule = r;
    },
  };
}
