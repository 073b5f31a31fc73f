/**
 * Sending mail with nodemailer: through an SMTP relay (host, port, TLS, AUTH), or into a local
 * directory of .eml files (the embedded default). A relay's acceptance and a written file are
 * `ok` + `Unreliable` (no end receipt, draft §16.2); a permanent refusal is an error answer.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import type { Answer, Logger } from '../../src/index.js';
import type { OutboundConfig } from './config.js';
import { answerForFailure, unreliableOk, type SendFailure } from './smtp-codes.js';
import type { MailAttachment, MailSpec } from './translate.js';

type Transporter = ReturnType<typeof nodemailer.createTransport>;

/** A mail already built (queued-mail.ts), with the envelope it goes out under. */
export interface RawMail {
  readonly raw: Buffer;
  /** Envelope sender; '' for a bounce (RFC 5321 4.5.5: `MAIL FROM:<>`, never bounced again). */
  readonly from: string;
  readonly to: readonly string[];
  readonly messageId: string;
}

export class Outbox {
  private transporter: Transporter | undefined;
  /** Builds messages without sending them (the mails kept in the store are built first). */
  private readonly composer = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: 'windows',
  });
  private directory: string | undefined;
  private seq = 0;

  constructor(
    private readonly cfg: OutboundConfig,
    private readonly origin: string,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    const c = this.cfg;
    if (c.transport === 'directory') {
      this.directory = resolve(c.directory);
      await mkdir(this.directory, { recursive: true });
      // Builds the message only; the file is written below.
      this.transporter = nodemailer.createTransport({
        streamTransport: true,
        buffer: true,
        newline: 'windows',
      });
      return;
    }
    const ca = c.ca === undefined ? undefined : await readFile(c.ca, 'utf8');
    this.transporter = nodemailer.createTransport({
      host: c.host,
      port: c.port,
      secure: c.secure,
      requireTLS: c.requireTLS,
      ...(c.auth ? { auth: { user: c.auth.user, pass: c.auth.pass } } : {}),
      tls: { rejectUnauthorized: c.rejectUnauthorized, ...(ca ? { ca } : {}) },
      connectionTimeout: c.timeoutMs,
      greetingTimeout: c.timeoutMs,
      socketTimeout: c.timeoutMs,
    });
  }

  get relay(): boolean {
    return this.cfg.transport === 'smtp';
  }

  async send(spec: MailSpec, attachments: readonly MailAttachment[]): Promise<Answer> {
    return this.transmit(mailOptions(spec, attachments), spec.to, spec.messageId);
  }

  /** The message `send` would send, as octets (CRLF line ends). */
  async compose(spec: MailSpec, attachments: readonly MailAttachment[]): Promise<Buffer> {
    const info = (await this.composer.sendMail(mailOptions(spec, attachments))) as { message: Buffer };
    return info.message;
  }

  /** Sends a built message as it is (a queued mail, a bounce). */
  async sendRaw(m: RawMail): Promise<Answer> {
    return this.transmit(
      { raw: m.raw, envelope: { from: m.from, to: [...m.to] } } as Mail.Options,
      m.to,
      m.messageId,
    );
  }

  private async transmit(options: Mail.Options, to: readonly string[], messageId: string): Promise<Answer> {
    const t = this.transporter;
    if (t === undefined) return answerForFailure({ message: 'mail transport not started' });
    try {
      const info = (await t.sendMail(options)) as {
        message?: Buffer;
        rejected?: unknown[];
        response?: string;
      };
      if (this.directory !== undefined) {
        const name = `${Date.now()}-${process.pid}-${++this.seq}.eml`;
        const tmp = join(this.directory, `.${name}.tmp`);
        await writeFile(tmp, info.message ?? Buffer.alloc(0));
        await rename(tmp, join(this.directory, name));
        this.log.info({ to, file: name }, 'mail written');
      } else {
        if (Array.isArray(info.rejected) && info.rejected.length > 0 && info.rejected.length === to.length)
          return answerForFailure({
            responseCode: 550,
            code: 'EENVELOPE',
            message: 'all recipients refused',
          });
        this.log.info({ to, response: info.response }, 'mail relayed');
      }
      return unreliableOk(this.origin, messageId);
    } catch (err) {
      const f = err as SendFailure;
      const answer = answerForFailure({
        responseCode: f.responseCode,
        code: f.code,
        response: f.response,
        message: String(f.message),
      });
      this.log.warn(
        { to, code: f.code, responseCode: f.responseCode, response: f.response ?? f.message },
        'mail not sent',
      );
      return answer;
    }
  }

  stop(): void {
    this.transporter?.close();
    this.transporter = undefined;
  }
}

/** nodemailer's options for a MailSpec (translate.ts). */
function mailOptions(spec: MailSpec, attachments: readonly MailAttachment[]): Mail.Options {
  return {
    from: spec.from,
    replyTo: spec.replyTo,
    to: [...spec.to],
    subject: spec.subject,
    text: spec.text,
    html: spec.html,
    messageId: spec.messageId,
    ...(spec.inReplyTo !== undefined ? { inReplyTo: spec.inReplyTo } : {}),
    ...(spec.references !== undefined ? { references: [...spec.references] } : {}),
    headers: { ...spec.headers },
    attachments: attachments.map((a) => ({
      ...(a.filename !== undefined ? { filename: a.filename } : {}),
      contentType: a.contentType,
      content: Buffer.from(a.content),
    })),
    envelope: { from: spec.from.address, to: [...spec.to] },
  };
}
