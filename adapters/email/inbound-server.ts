/**
 * The SMTP listener (smtp-server): an MX for the adapter's domain and, with AUTH configured, a
 * submission service. Never an open relay: RCPT for any other domain is refused.
 */
import { readFile } from 'node:fs/promises';
import { timingSafeEqual, createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { ConnectionCounter, ListenError, LogThrottle } from '../../src/index.js';
import { resolveRecipient } from './addresses.js';
import { HeaderCounter } from './header-limits.js';
import { senderAddressProblem } from './envelope-checks.js';
import { processMail, type PipelineDeps } from './inbound-pipeline.js';
import { MailRefusal } from './sender-auth-pool.js';
import type { SmtpReply } from './smtp-codes.js';

function smtpError(r: SmtpReply): Error {
  return Object.assign(new Error(`${r.status} ${r.text}`), { responseCode: r.code });
}

function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

interface AuthUser {
  readonly user: string;
  readonly addresses: readonly string[];
}

export class InboundServer {
  private server: SMTPServer | undefined;
  private bound: { host: string; port: number } | undefined;
  /** Releases of the connections counted per address, by smtp-server session id. */
  private readonly counted = new Map<string, () => void>();
  constructor(private readonly deps: PipelineDeps) {}

  get address(): { host: string; port: number } | undefined {
    return this.bound;
  }

  async start(): Promise<void> {
    const { cfg, ctx } = this.deps;
    const inb = cfg.inbound;
    const disabled: string[] = [];
    const tls: Partial<SMTPServerOptions> = {};
    // RFC 3207 STARTTLS, offered only with a configured certificate.
    if (inb.tls !== undefined) {
      const [cert, key] = await Promise.all([readFile(inb.tls.cert), readFile(inb.tls.key)]);
      Object.assign(tls, { cert, key });
    } else disabled.push('STARTTLS');
    if (inb.auth === undefined) disabled.push('AUTH');
    const users = inb.auth?.users ?? [];
    const limits = ctx.limits;
    const perAddress = limits === undefined ? null : new ConnectionCounter(limits.connectionsPerAddress);
    const refusals = new LogThrottle(limits?.warnIntervalMs ?? 10_000);
    const server = new SMTPServer({
      ...tls,
      name: this.deps.hostname,
      banner: 'CPIM gateway',
      // RFC 1870 SIZE: advertised, checked on MAIL FROM SIZE= and on the data itself.
      size: inb.maxMessageBytes,
      rejectOversized: true,
      disabledCommands: disabled,
      authOptional: inb.auth === undefined || !inb.auth.required,
      allowInsecureAuth: inb.auth?.allowInsecure ?? false,
      authMethods: ['PLAIN', 'LOGIN'],
      hidePIPELINING: false,
      maxClients: inb.maxClients,
      socketTimeout: inb.socketTimeoutMs,
      closeTimeout: 2000,
      logger: false,
      // Issue 13: one address cannot take every slot of maxClients. RFC 5321 3.8 / 4.2.5: 421
      // refuses the connection and closes it; 4.7.0 (RFC 3463) is a transient security refusal.
      onConnect: (session, cb) => {
        if (perAddress === null) return cb();
        const release = perAddress.acquire(session.remoteAddress);
        if (release === null) {
          const suppressed = refusals.allow();
          if (suppressed >= 0)
            ctx.log.warn(
              { ip: session.remoteAddress, limit: perAddress.maxPerAddress, suppressed },
              'smtp connection refused: too many connections from this address',
            );
          return cb(
            smtpError({ code: 421, status: '4.7.0', text: 'too many connections from your address' }),
          );
        }
        this.counted.set(session.id, release);
        cb();
      },
      // Called once per connection, refused or not; only counted ones hold a release.
      onClose: (session) => {
        this.counted.get(session.id)?.();
        this.counted.delete(session.id);
      },
      // Issue 13 defect 5: attempts counted across connections in the gateway's tracker, per
      // address and per username (src/policy/auth-failures.ts). In backoff the password is not
      // checked: 454 4.7.0, RFC 4954 6 "temporary authentication failure"; a wrong one stays 535.
      onAuth: (auth, session, cb) => {
        const attempts = ctx.authAttempts?.('smtp');
        const wait = attempts?.throttle(session.remoteAddress, auth.username) ?? 0;
        if (wait > 0)
          return cb(
            smtpError({
              code: 454,
              status: '4.7.0',
              text: `too many failed authentications, retry in ${Math.ceil(wait / 1000)} s`,
            }),
          );
        const u = users.find((x) => x.user === auth.username);
        if (u === undefined || typeof auth.password !== 'string' || !sameSecret(u.password, auth.password)) {
          if (attempts === undefined) ctx.log.warn({ user: auth.username }, 'smtp auth failed');
          else attempts.failed(session.remoteAddress, auth.username, 'smtp auth failed');
          return cb(smtpError({ code: 535, status: '5.7.8', text: 'authentication failed' }));
        }
        attempts?.succeeded(session.remoteAddress, u.user);
        const user: AuthUser = { user: u.user, addresses: u.addresses };
        cb(null, { user });
      },
      onMailFrom: (address, session, cb) => {
        const problem = senderAddressProblem(address.address, address.args);
        if (problem === null) return cb();
        ctx.log.warn({ ip: session.remoteAddress, reason: problem.text }, 'mail sender refused');
        cb(smtpError(problem));
      },
      onRcptTo: (address, session, cb) => {
        // One recipient per transaction, so the DATA reply is exactly that recipient's answer;
        // RFC 5321 4.5.3.1.10: 452 tells the client to send the rest in another transaction.
        if (session.envelope.rcptTo.length >= 1)
          return cb(
            smtpError({
              code: 452,
              status: '4.5.3',
              text: 'one recipient per message, send the others again',
            }),
          );
        const r = resolveRecipient(address.address, this.deps.mapping);
        if (r === 'foreign-domain' || r === 'relay') {
          ctx.log.warn({ rcpt: address.address, ip: session.remoteAddress, reason: r }, 'relaying denied');
          return cb(smtpError({ code: 550, status: '5.7.1', text: 'relaying denied' }));
        }
        // RFC 5321 3.3: refuse an unknown mailbox at RCPT, where the core's directory knows
        // it (an im: inbox here that no account may listen for); 550 5.1.1 (RFC 3463) is
        // permanent, so the sender's MTA bounces at once instead of retrying for days.
        if (r === 'unknown' || (r.kind === 'inbox' && !ctx.hub.inboxExists(r.inbox.uri))) {
          ctx.log.warn({ rcpt: address.address }, 'unknown recipient');
          return cb(smtpError({ code: 550, status: '5.1.1', text: 'no such recipient' }));
        }
        cb();
      },
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        // Issue 13: header bounds counted as DATA arrives; once over, nothing more is kept, the
        // rest is drained (the client is still sending) and the refusal ends DATA.
        const header = new HeaderCounter({ maxBytes: inb.maxHeaderBytes, maxLines: inb.maxHeaderLines });
        stream.on('data', (c: Buffer) => {
          if (header.push(c) !== null || stream.sizeExceeded) chunks.length = 0;
          else chunks.push(c);
        });
        stream.on('error', (err) => cb(err));
        stream.on('end', () => {
          if (stream.sizeExceeded) {
            ctx.log.warn({ from: mailFrom(session), size: stream.byteLength }, 'mail over the size limit');
            return cb(smtpError({ code: 552, status: '5.3.4', text: 'message too big' }));
          }
          const over = header.finish();
          if (over !== null) {
            chunks.length = 0;
            // RFC 5321 4.5.3.1.10 (too much mail data: 552) with RFC 3463 X.3.4 "message too big
            // for system", a per-message administrative limit: permanent, as resending the same
            // header can never pass. (X.6.0 is for media the receiver cannot handle, not size.)
            ctx.log.warn(
              {
                from: mailFrom(session),
                ip: session.remoteAddress,
                limit: over.limit,
                kind: over.kind,
                headerBytes: header.bytes,
                headerLines: header.lines,
              },
              'mail header over its limit',
            );
            return cb(
              smtpError({
                code: 552,
                status: '5.3.4',
                text: `header section too big (more than ${over.limit} ${over.kind === 'bytes' ? 'octets' : 'lines'})`,
              }),
            );
          }
          this.handle(Buffer.concat(chunks), session).then(
            (r) => (r.code < 300 ? cb(null, `${r.status} ${r.text}`) : cb(smtpError(r))),
            (err: unknown) => {
              if (err instanceof MailRefusal) {
                ctx.log.warn(
                  {
                    from: mailFrom(session),
                    ip: session.remoteAddress,
                    code: err.reply.code,
                    reason: err.reason,
                  },
                  'mail refused',
                );
                return cb(smtpError(err.reply));
              }
              // A fault of ours, not of the mail: transient, one line with the reason.
              ctx.log.warn(
                { from: mailFrom(session), reason: err instanceof Error ? err.message : String(err) },
                'mail processing failed, answered 451',
              );
              cb(smtpError({ code: 451, status: '4.3.0', text: 'local error, try again later' }));
            },
          );
        });
      },
    });
    // smtp-server repeats its socket's errors here; one while listening is the ListenError below.
    // A client's failure (a TLS handshake of garbage after STARTTLS, a reset) is logged with its
    // reason and address, without a stack trace: it is no fault of the gateway.
    server.on(
      'error',
      (err: Error & { code?: string; meta?: { remoteAddress?: string; stage?: string } }) => {
        if (this.server === server)
          ctx.log.warn(
            {
              reason: err.message.trim(),
              code: err.code,
              ip: err.meta?.remoteAddress,
              stage: err.meta?.stage,
            },
            'smtp connection error',
          );
      },
    );
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(ListenError.from(err, inb.host, inb.port, 'inbound.port'));
      server.server.once('error', onError);
      server.listen(inb.port, inb.host, () => {
        server.server.off('error', onError);
        resolve();
      });
    });
    const a = server.server.address() as AddressInfo;
    this.bound = { host: a.address, port: a.port };
    this.server = server;
    ctx.log.info({ host: a.address, port: a.port, starttls: inb.tls !== undefined }, 'smtp listening');
  }

  private handle(raw: Buffer, session: SMTPServerSession) {
    const user = session.user as AuthUser | undefined;
    return processMail(
      raw,
      {
        mailFrom: mailFrom(session),
        rcptTo: session.envelope.rcptTo[0]?.address ?? '',
        ip: session.remoteAddress,
        helo: session.hostNameAppearsAs,
        tls: session.secure,
        authAddresses: user?.addresses,
        authUser: user?.user,
      },
      this.deps,
    );
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s === undefined) return;
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

function mailFrom(session: SMTPServerSession): string {
  const m = session.envelope.mailFrom;
  return m === false ? '' : m.address;
}
