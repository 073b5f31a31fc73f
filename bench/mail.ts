/**
 * Mail that cannot stall anything (issue 13, defect 2): the event-loop delay of a gateway process
 * (perf_hooks monitorEventLoopDelay in procs/mail-gateway-child.ts: p50, p99, max) while it
 * receives, over real SMTP on loopback, a normal mail, a mail whose header is folded over 30,000
 * lines (refused at DATA by inbound.maxHeaderLines), and a mail inside the header limits that is
 * costly for DKIM (sender authentication in the worker pool, with its time budget). Meanwhile a
 * second connection sends NOOPs; the longest wait for an answer is reported too. Baseline, same
 * run: the normal mail. A second gateway configured as before the fix (no header bounds, checks
 * on the main thread: senderAuth.workers 0) receives the same hostile mails once, to show what
 * the bounds and the pool save. Bounded: a fixed number of mails, each with a 120 s deadline.
 */
import type { ChildProcess } from 'node:child_process';
import {
  costlyDkimMail,
  foldedHeaderMail,
  noopWhile,
  normalMail,
  SmtpClient,
} from '../test/support/smtp-raw.js';
import { gatewayConfig } from './lib/configs.js';
import { nextMessage, spawn, stopByPid } from './lib/procs.js';
import { entry, type BenchContext, type Benchmark, type Entry, type Figure } from './lib/report.js';

const MAIL = 'mail.gw.test';
const FROM = 'dave@elsewhere.test';
const TO = `bob=gw.test@${MAIL}`;
const DEADLINE_MS = 120_000;

interface Child {
  readonly child: ChildProcess;
  readonly smtpPort: number;
}

async function startChild(email: Record<string, unknown>): Promise<Child> {
  const child = spawn('mail-gateway-child.ts');
  const ready = nextMessage<{ smtpPort: number }>(child, 'ready');
  child.send({
    type: 'start',
    config: {
      ...gatewayConfig('gw.test'),
      // Every mail here is answered 450 (bob does not listen) or refused: no warn line per mail.
      log: { level: 'error' },
      adapters: [
        {
          type: 'email',
          domain: MAIL,
          localDomain: 'gw.test',
          outbound: { transport: 'directory', directory: '/tmp/cpim-bench-mail-out' },
          ...email,
          inbound: { port: 0, rate: { burst: 1e6, perMinute: 1e6 }, ...(email['inbound'] as object) },
        },
      ],
    },
  });
  try {
    return { child, smtpPort: (await ready).smtpPort };
  } catch (e) {
    await stopByPid(child, 500);
    throw e;
  }
}

async function ask<T>(child: ChildProcess, type: string): Promise<T> {
  const m = nextMessage<T>(child, type);
  child.send({ type });
  return m;
}

function withDeadline<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${DEADLINE_MS} ms`)), DEADLINE_MS);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

interface Phase {
  readonly figures: Figure[];
  readonly replies: string[];
}

/** Sends `mail` `count` times on one connection while another connection sends NOOPs. */
async function phase(c: Child, mail: string, count: number): Promise<Phase> {
  const { client: other } = await SmtpClient.open(c.smtpPort);
  await other.command('EHLO other.test');
  await ask(c.child, 'eld-reset');
  const replies: string[] = [];
  const run = (async () => {
    for (let i = 0; i < count; i++) {
      const { client } = await SmtpClient.open(c.smtpPort);
      replies.push(await client.send(FROM, TO, mail));
      await client.close();
    }
  })();
  const gaps = await noopWhile(other, withDeadline(run, 'mail'));
  await run;
  const eld = await ask<{ p50: number; p99: number; max: number }>(c.child, 'eld');
  await other.close();
  return {
    figures: [
      { name: 'loop delay max', value: eld.max, unit: 'ms', lowerIsBetter: true },
      { name: 'p99', value: eld.p99, unit: 'ms', lowerIsBetter: true },
      { name: 'p50', value: eld.p50, unit: 'ms', lowerIsBetter: true },
      { name: 'longest NOOP wait', value: Math.max(...gaps), unit: 'ms', lowerIsBetter: true },
    ],
    replies,
  };
}

const replyNote = (p: Phase): string =>
  `replies: ${[...new Set(p.replies.map((r) => r.slice(0, 60)))].join(' | ')}`;
/** The SMTP reply codes a phase got, e.g. "552 5.3.4". */
const codes = (p: Phase): string => [...new Set(p.replies.map((r) => r.slice(0, 9)))].join(', ');

export const mail: Benchmark = {
  name: 'mail',
  description:
    'event-loop delay of the gateway while it receives normal, header-bomb and DKIM-costly mail over SMTP',
  async run(ctx: BenchContext): Promise<readonly Entry[]> {
    const n = ctx.quick ? { normal: 10, folded: 2, costly: 1 } : { normal: 30, folded: 5, costly: 3 };
    const entries: Entry[] = [];
    const cases = [
      { name: 'header folded over 30,000 lines (117 KB)', mail: foldedHeaderMail(FROM, TO, 30_000) },
      {
        name: 'inside the header limits, costly for DKIM (500 signatures, 1 MB)',
        mail: costlyDkimMail(FROM, TO),
      },
    ];
    const fixed = await startChild({});
    try {
      ctx.progress(`mail: ${n.normal} normal mails`);
      const normal = await phase(fixed, normalMail(FROM, TO), n.normal);
      const baseline = { name: `normal mail (${n.normal} mails), same gateway`, figures: normal.figures };
      entries.push(
        entry(`normal mail (${n.normal} mails) → ${codes(normal)}`, normal.figures, null, {
          notes: replyNote(normal),
        }),
      );
      for (const [i, c] of cases.entries()) {
        const count = i === 0 ? n.folded : n.costly;
        ctx.progress(`mail: ${c.name}, ${count} mails`);
        const p = await phase(fixed, c.mail, count);
        entries.push(
          entry(`${c.name} (${count} mails) → ${codes(p)}`, p.figures, baseline, { notes: replyNote(p) }),
        );
      }
    } finally {
      await ask(fixed.child, 'stop').catch(() => undefined);
      await stopByPid(fixed.child);
    }
    // As before the fix: no header bounds, sender authentication on the main thread.
    const before = await startChild({
      inbound: { maxHeaderBytes: 1e9, maxHeaderLines: 1e9 },
      senderAuth: { workers: 0 },
    });
    try {
      const normal = await phase(before, normalMail(FROM, TO), n.normal);
      const baseline = { name: 'normal mail, same gateway', figures: normal.figures };
      for (const c of cases) {
        ctx.progress(`mail: before the fix, ${c.name}, 1 mail`);
        const p = await phase(before, c.mail, 1);
        entries.push(
          entry(
            `before the fix (no header bounds, checks inline): ${c.name} → ${codes(p)}`,
            p.figures,
            baseline,
            {
              notes: replyNote(p),
            },
          ),
        );
      }
    } finally {
      await ask(before.child, 'stop').catch(() => undefined);
      await stopByPid(before.child);
    }
    return entries;
  },
};
