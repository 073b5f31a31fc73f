/**
 * A minimal XMPP client on raw TCP for bench/peer.ts and bench/xmpp.ts (RFC 6120/6121, XEP-0045,
 * XEP-0050): stream open, SASL ANONYMOUS (or PLAIN, RFC 4616, with an account), stream restart, resource binding, an ad-hoc command, joining a MUC
 * without history, and — once `hot()` — nothing but counting the benchmark's numbered lines in
 * `<body>` elements of the stanzas that arrive. No XML parser: setup answers are matched as text,
 * which is enough against a known local server (prosody) and component (biboumi).
 */
import * as net from 'node:net';
import { performance } from 'node:perf_hooks';
import { Sink, seqAt } from './irc-load.js';

const BODY_MARK = Buffer.from('<body>@@');
/** Octets from the start of BODY_MARK to the start of the "@@" mark. */
const BODY_SKIP = BODY_MARK.length - 2;
/** A mark split across reads is at most this far from the end of a chunk. */
const TAIL = BODY_MARK.length + 8;

export class XmppClient {
  readonly sink = new Sink();
  jid = '';
  private text = '';
  private waiters: (() => void)[] = [];
  private hotMode = false;
  private carry: Buffer | null = null;
  private id = 0;

  private constructor(
    readonly socket: net.Socket,
    readonly domain: string,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.data(chunk));
    socket.on('error', () => undefined);
  }

  /**
   * Connects to `port`, signs in on `domain` (anonymously, or by SASL PLAIN with `account`: the
   * benchmark's loopback server has no TLS and allows it) and binds a resource.
   */
  static async connect(
    port: number,
    domain: string,
    account?: { readonly user: string; readonly password: string },
  ): Promise<XmppClient> {
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.off('error', reject);
        resolve(s);
      });
      s.once('error', reject);
    });
    const c = new XmppClient(socket, domain);
    c.openStream();
    const features = await c.waitFor(/<\/stream:features>/, 'stream features');
    const mechanism = account === undefined ? 'ANONYMOUS' : 'PLAIN';
    if (!features.includes(`>${mechanism}<`))
      throw new Error(`the server offers no SASL ${mechanism}: ${features.slice(0, 300)}`);
    c.text = '';
    if (account === undefined)
      socket.write(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='ANONYMOUS'/>`);
    else {
      // RFC 4616 §2: [authzid] NUL authcid NUL passwd, base64 in the <auth/> element (RFC 6120 §6.4.2).
      const initial = Buffer.from(`\0${account.user}\0${account.password}`, 'utf8').toString('base64');
      socket.write(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${initial}</auth>`);
    }
    const auth = await c.waitFor(/<success[\s/>]|<failure[\s>]/, 'SASL answer');
    if (!/<success[\s/>]/.test(auth)) throw new Error(`SASL ${mechanism} failed: ${auth.slice(0, 300)}`);
    c.text = '';
    c.openStream();
    await c.waitFor(/<\/stream:features>/, 'stream features after SASL');
    c.text = '';
    socket.write(`<iq type='set' id='bind1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>`);
    const bound = await c.waitFor(/<jid>([^<]+)<\/jid>/, 'resource binding');
    c.jid = /<jid>([^<]+)<\/jid>/.exec(bound)![1]!;
    c.text = '';
    socket.write(`<presence/>`);
    return c;
  }

  /** Asks `to` for disco#info: true when it answers with a result (a component is connected). */
  async discoInfo(to: string): Promise<boolean> {
    const id = `d${++this.id}`;
    this.text = '';
    this.socket.write(
      `<iq type='get' to='${to}' id='${id}'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`,
    );
    const answer = await this.waitFor(new RegExp(`<iq[^>]*id=['"]${id}['"]`), 'disco#info answer');
    const tag = new RegExp(`<iq[^>]*id=['"]${id}['"][^>]*>`).exec(answer)![0];
    return /type=['"]result['"]/.test(tag);
  }

  /**
   * Runs ad-hoc command `node` on `to` (XEP-0050) and submits its form with `fields` changed
   * (the other fields as the form gave them). Resolves with the final answer's text.
   */
  async adhoc(to: string, node: string, fields: Readonly<Record<string, string>>): Promise<string> {
    const id1 = `c${++this.id}`;
    this.text = '';
    this.socket.write(
      `<iq type='set' to='${to}' id='${id1}'><command xmlns='http://jabber.org/protocol/commands' node='${node}' action='execute'/></iq>`,
    );
    const form = await this.waitFor(new RegExp(`<iq[^>]*id=['"]${id1}['"][\\s\\S]*?</iq>`), `ad-hoc ${node}`);
    const session = /sessionid=['"]([^'"]+)['"]/.exec(form)?.[1];
    if (session === undefined) throw new Error(`ad-hoc ${node} gave no session: ${form.slice(0, 400)}`);
    const submitted = Object.entries(fields)
      .map(([k, v]) => `<field var='${k}'><value>${v}</value></field>`)
      .join('');
    const id2 = `c${++this.id}`;
    this.text = '';
    this.socket.write(
      `<iq type='set' to='${to}' id='${id2}'><command xmlns='http://jabber.org/protocol/commands' node='${node}' sessionid='${session}' action='complete'><x xmlns='jabber:x:data' type='submit'>${submitted}</x></command></iq>`,
    );
    const done = await this.waitFor(
      new RegExp(`<iq[^>]*id=['"]${id2}['"][\\s\\S]*?</iq>`),
      `ad-hoc ${node} result`,
    );
    if (!/type=['"]result['"]/.test(done)) throw new Error(`ad-hoc ${node} failed: ${done.slice(0, 400)}`);
    return done;
  }

  /** Joins the MUC `room` (a full room JID without resource) as `nick`, asking for no history. */
  async joinMuc(room: string, nick: string, timeoutMs = 15_000): Promise<void> {
    this.text = '';
    this.socket.write(
      `<presence to='${room}/${nick}'><x xmlns='http://jabber.org/protocol/muc'><history maxstanzas='0'/></x></presence>`,
    );
    // Self-presence carries status code 110 (XEP-0045 7.2.2); an error presence ends the wait too.
    const p = await this.waitFor(
      /<status[^>]*code=['"]110['"]|<presence[^>]*type=['"]error['"][\s\S]*?<\/presence>/,
      `MUC join of ${room}`,
      timeoutMs,
    );
    if (!/code=['"]110['"]/.test(p)) throw new Error(`MUC join refused: ${p.slice(0, 400)}`);
  }

  /** From now on only numbered `<body>` lines are looked at. */
  hot(): void {
    this.hotMode = true;
    this.text = '';
  }

  async close(): Promise<void> {
    if (this.socket.destroyed) return;
    this.socket.end('</stream:stream>');
    await new Promise((r) => setTimeout(r, 100));
    this.socket.destroy();
  }

  private openStream(): void {
    this.socket.write(
      `<?xml version='1.0'?><stream:stream to='${this.domain}' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>`,
    );
  }

  private async waitFor(re: RegExp, what: string, timeoutMs = 10_000): Promise<string> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const m = re.exec(this.text);
      if (m) return this.text;
      if (Date.now() > until || this.socket.destroyed)
        throw new Error(`no ${what} from the XMPP server (got: ${this.text.slice(-400)})`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }

  private data(chunk: Buffer): void {
    if (!this.hotMode) {
      this.text += chunk.toString('utf8');
      for (const w of this.waiters.splice(0)) w();
      return;
    }
    const now = performance.now();
    const buf = this.carry === null ? chunk : Buffer.concat([this.carry, chunk]);
    this.carry = null;
    let pos = 0;
    for (;;) {
      const m = buf.indexOf(BODY_MARK, pos);
      if (m === -1) break;
      if (m + TAIL > buf.length) {
        pos = m;
        break;
      }
      this.sink.record(seqAt(buf, m + BODY_SKIP), now);
      pos = m + TAIL;
    }
    const keep = Math.max(pos, buf.length - TAIL + 1);
    if (keep < buf.length) this.carry = buf.subarray(keep);
    this.sink.progress();
  }
}
