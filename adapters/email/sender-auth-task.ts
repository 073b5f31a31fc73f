/**
 * One sender-authentication check (SPF RFC 7208, DKIM RFC 6376, DMARC RFC 7489) with mailauth,
 * reduced to the adapter's Verdict. This module runs inside the worker threads of
 * sender-auth-pool.ts (issue 13: mailauth's DKIM header handling is superlinear, so it must not
 * run on the thread that answers SMTP clients) and, with no pool, in process. It imports only
 * mailauth and node built-ins: a worker loads nothing of the gateway's core.
 */
import type { MessagePort } from 'node:worker_threads';
import { authenticate, type DNSResolver } from 'mailauth';
import type { CheckInput, Verdict } from './sender-auth.js';

/** mailauth's answer reduced to what strengthOf and the DMARC p=reject rule need. */
export async function checkMail(input: CheckInput, resolver: DNSResolver): Promise<Verdict> {
  const r = await authenticate(input.message, {
    ip: input.ip,
    helo: input.helo,
    sender: input.mailFrom,
    mta: input.mta,
    resolver,
    disableArc: true,
    disableBimi: true,
  });
  const dkimPass = r.dkim.results.filter((x) => x.status.result === 'pass');
  const dkim = dkimPass.length > 0 ? 'pass' : (r.dkim.results[0]?.status.result ?? 'none');
  const d = r.dmarc === false ? undefined : r.dmarc;
  return {
    spf: r.spf === false ? 'none' : r.spf.status.result,
    dkim,
    dmarc: d?.status.result ?? 'none',
    policy: d?.policy,
    // `alignment` is absent when the domain publishes no DMARC record.
    alignedDkim: d?.status.result === 'pass' && Boolean(d.alignment?.dkim?.result),
    alignedSpf: d?.status.result === 'pass' && Boolean(d.alignment?.spf?.result),
  };
}

/** A DNS question from a worker to the main thread, and its answer. */
export interface DnsQuestion {
  readonly id: number;
  readonly name: string;
  readonly rrtype: string;
}
export type DnsAnswer =
  | { readonly id: number; readonly records: unknown }
  | { readonly id: number; readonly error: { readonly message: string; readonly code?: string } };

/** The first message on a task's port: the worker began the check. */
export interface TaskStarted {
  readonly started: true;
}

/** What the pool hands a worker: the check's input and the port its DNS questions go to. */
export interface WorkerTask {
  readonly message: Uint8Array;
  readonly ip: string;
  readonly helo: string;
  readonly mailFrom: string;
  readonly mta: string;
  readonly dns: MessagePort;
}

/**
 * A resolver that asks the main thread (DNS is I/O, not CPU): the main thread answers with the
 * adapter's resolver, so `senderAuth.dnsServers` and an injected test resolver apply unchanged.
 * mailauth tells "no record" from "lookup failed" by the error's `code` (ENOTFOUND, ENODATA:
 * RFC 7208 4.3 none; anything else: temperror), so the code crosses the port with the message.
 */
export function portResolver(port: MessagePort): DNSResolver {
  let next = 0;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  port.on('message', (a: DnsAnswer) => {
    const w = waiting.get(a.id);
    if (w === undefined) return;
    waiting.delete(a.id);
    if ('error' in a) w.reject(Object.assign(new Error(a.error.message), { code: a.error.code }));
    else w.resolve(a.records);
  });
  return (name, rrtype) =>
    new Promise((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      port.postMessage({ id, name, rrtype } satisfies DnsQuestion);
    }) as ReturnType<DNSResolver>;
}

/**
 * The worker's task: one check, DNS through the task's port, which is closed afterwards. `null`
 * is the pool's warm-up call: it returns at once, once this module (and mailauth) are loaded.
 */
export async function runTask(task: WorkerTask | null): Promise<Verdict | null> {
  if (task === null) return null;
  // The pool's time budget starts now, not while the task waited or its thread was starting.
  task.dns.postMessage({ started: true } satisfies TaskStarted);
  const message = Buffer.from(task.message.buffer, task.message.byteOffset, task.message.byteLength);
  try {
    return await checkMail({ ...task, message }, portResolver(task.dns));
  } finally {
    task.dns.close();
  }
}
