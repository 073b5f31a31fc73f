/**
 * A raw SMTP client on a TCP socket (RFC 5321), for tests and benchmarks that need to know when
 * each reply arrives: the round-trip time of every NOOP while another connection sends a hostile
 * mail, and DATA written in chunks with backpressure. Mails it builds: a normal one, a header
 * folded over N lines, and one that is costly for DKIM yet inside the header limits.
 */
import { connect, type Socket } from 'node:net';

export class SmtpClient {
  private buffered = '';
  private lines: string[] = [];
  private readonly waiters: ((reply: string) => void)[] = [];
  private closed: Error | null = null;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => this.onData(d));
    socket.on('error', (e) => (this.closed = e));
    socket.on('close', () => {
      this.closed ??= new Error('connection closed');
      for (const w of this.waiters.splice(0)) w(`closed: ${this.closed.message}`);
    });
  }

  /** Connects and reads the greeting (returned as `greeting`). */
  static async open(port: number, host = '127.0.0.1'): Promise<{ client: SmtpClient; greeting: string }> {
    const socket = connect(port, host);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const client = new SmtpClient(socket);
    return { client, greeting: await client.reply() };
  }

  private onData(d: string): void {
    this.buffered += d;
    let i: number;
    while ((i = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, i).replace(/\r$/, '');
      this.buffered = this.buffered.slice(i + 1);
      this.lines.push(line);
      // RFC 5321 4.2.1: "250-" continues a multiline reply, "250 " ends it.
      if (/^\d{3}(?: |$)/.test(line)) {
        const whole = this.lines.join('\n');
        this.lines = [];
        this.waiters.shift()?.(whole);
      }
    }
  }

  /** The next complete reply (its last line is the one that counts). */
  reply(): Promise<string> {
    if (this.closed !== null) return Promise.resolve(`closed: ${this.closed.message}`);
    return new Promise((resolve) => this.waiters.push((r) => resolve(r.split('\n').at(-1)!)));
  }

  /** Writes one command line and waits for its reply. */
  command(line: string): Promise<string> {
    const r = this.reply();
    this.socket.write(`${line}\r\n`);
    return r;
  }

  /** DATA, the message dot-stuffed and written in 64 KiB pieces (waiting for drain), then ".". */
  async data(message: Buffer | string): Promise<string> {
    const go = await this.command('DATA');
    if (!go.startsWith('354')) return go;
    const text = (typeof message === 'string' ? message : message.toString('latin1')).replace(
      /(^|\n)\./g,
      '$1..',
    );
    const body = Buffer.from(text.endsWith('\r\n') ? text : `${text}\r\n`, 'latin1');
    const final = this.reply();
    for (let at = 0; at < body.length; at += 65536) {
      if (this.closed !== null) break;
      if (!this.socket.write(body.subarray(at, at + 65536)))
        await new Promise<void>((resolve) => {
          this.socket.once('drain', resolve);
          this.socket.once('close', resolve);
        });
    }
    this.socket.write('.\r\n');
    return final;
  }

  /** EHLO, MAIL, RCPT, DATA; the reply to the first command that fails, else DATA's reply. */
  async send(from: string, to: string, message: Buffer | string): Promise<string> {
    for (const c of ['EHLO client.test', `MAIL FROM:<${from}>`, `RCPT TO:<${to}>`]) {
      const r = await this.command(c);
      if (!r.startsWith('250')) return r;
    }
    return this.data(message);
  }

  async close(): Promise<void> {
    if (this.closed === null) await this.command('QUIT');
    this.socket.destroy();
  }
}

/**
 * NOOP round trips on `client` until `done` settles (at least one). Returns, per round, the time
 * from the previous answer (or the start) to this answer in ms, the short pause between rounds
 * included: the client shares the event loop with the gateway in tests, so a stall shows there
 * even when it falls between two NOOPs. The bound of issue 13 is checked on these.
 */
export async function noopWhile(
  client: SmtpClient,
  done: Promise<unknown>,
  maxRounds = 100_000,
): Promise<number[]> {
  let finished = false;
  void done.then(
    () => (finished = true),
    () => (finished = true),
  );
  const gaps: number[] = [];
  let last = performance.now();
  while ((!finished || gaps.length === 0) && gaps.length < maxRounds) {
    const r = await client.command('NOOP');
    if (!r.startsWith('250')) throw new Error(`NOOP answered ${r}`);
    const now = performance.now();
    gaps.push(now - last);
    last = now;
    // A short pause keeps the loop from competing with the server for the CPU.
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return gaps;
}

/** A plain small mail. */
export function normalMail(from: string, to: string, text = 'hello'): string {
  return `From: <${from}>\r\nTo: <${to}>\r\nSubject: hi\r\nMessage-ID: <${Math.random().toString(36).slice(2)}@client.test>\r\n\r\n${text}\r\n`;
}

/** A mail whose Subject is folded over `lines` physical lines (issue 13: 30,000 lines, 117 KB). */
export function foldedHeaderMail(from: string, to: string, lines: number): string {
  return `From: <${from}>\r\nTo: <${to}>\r\nSubject: x\r\n${' y\r\n'.repeat(lines)}\r\nbody\r\n`;
}

/**
 * Inside the default header limits (64 KiB, 1,000 lines) but costly for mailauth: `signatures`
 * DKIM-Signature fields with distinct body lengths `l=` (RFC 6376 3.5), so a body of about
 * `bodyBytes` is canonicalized and hashed once per signature. The bulk is a base64 attachment
 * (named in a note, not carried, past content.maxAttachmentBytes), so the chat message stays small.
 */
export function costlyDkimMail(from: string, to: string, signatures = 500, bodyBytes = 1_000_000): string {
  const b64 = `${'QUFB'.repeat(19)}\r\n`.repeat(Math.ceil(bodyBytes / 78));
  const body =
    '--b\r\nContent-Type: text/plain\r\n\r\ncostly to check\r\n' +
    '--b\r\nContent-Type: application/octet-stream; name="a.bin"\r\n' +
    `Content-Transfer-Encoding: base64\r\n\r\n${b64}--b--\r\n`;
  const domain = from.split('@')[1] ?? 'example.test';
  const sigs = Array.from(
    { length: signatures },
    (_, i) =>
      `DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=${domain}; s=s; l=${body.length - i}; h=from; bh=AAAA; b=AAAA\r\n`,
  ).join('');
  return (
    `${sigs}From: <${from}>\r\nTo: <${to}>\r\nSubject: costly\r\nMIME-Version: 1.0\r\n` +
    `Content-Type: multipart/mixed; boundary="b"\r\n\r\n${body}`
  );
}
