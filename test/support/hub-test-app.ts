/**
 * The tiny application behind the transcripts (test/transcripts/*), and a TranscriptPeer that runs
 * them against the session state machine. A TCP run must configure its server the same way
 * (TEST_HUB below): domain hub.example.net, PLAIN user alice/secret, a GSSAPI stub, unauthenticated
 * send and fetch allowed, and the behaviours of `serverApp`.
 *
 * Server behaviours, chosen by the first Inbox (IMTP) of a send:
 *   im:nobody@…        error no-listeners (an error we originate: no Error-Originator)
 *   im:full@…          error quota
 *   im:slow@…          held; answered ok after the next send to im:release@… (out-of-order answers)
 *   im:shutdown@…      ok, then the server sends `shutdown`
 *   im:echo@…          ok, with the command's payload returned as the ok payload (binary round trip)
 *   …@remote.example   relays to a fake next hop that answers target-not-found without Error-Originator
 *   …@far.example      relays to a fake next hop that answers with Error-Originator: far.example
 *   anything else      ok
 * Every ok to send echoes the command's X-* headers unchanged (relaying unknown headers) and adds
 * X-Content-Type (the effective content type) and X-Inbox (the Inbox value used).
 * PITP: fetch answers ok with a PI payload, fetch-notify throws quota (illegal there, so it goes
 * out as resources), everything else is ok.
 */
import { HubError } from '../../src/errors.js';
import type { CommandFrame, ResponseFrame } from '../../src/hub/frame/index.js';
import { getHeader, type Answer, type Header } from '../../src/protocol/index.js';
import { contentType } from '../../src/protocol/methods.js';
import { relayedErrorHeaders } from '../../src/hub/replies.js';
import {
  createSaslServer,
  GSSAPI_SERVICE,
  plainClient,
  type LinkInfo,
  type SaslServerMechanism,
} from '../../src/hub/sasl.js';
import type { HubApplication } from '../../src/hub/server.js';
import { Session, defaultAuthPolicy, type SessionHooks } from '../../src/hub/session.js';
import type { Transcript, TranscriptPeer } from './transcript.js';

export const TEST_HUB = {
  hostname: 'hub.example.net',
  users: new Map([['alice', 'secret']]),
  allowUnauthenticated: { send: true, fetch: true },
} as const;

/**
 * A stand-in for GSSAPI (part 3 row 23): its challenge is the service principal it was given,
 * `<service>@<host>`, so a transcript shows that the session's service name is IMTP or PITP.
 * It accepts the response "token".
 */
export function gssapiStub(): SaslServerMechanism {
  return {
    name: 'GSSAPI',
    available: () => true,
    start(link: LinkInfo) {
      let challenged = false;
      return {
        step(response) {
          if (!challenged) {
            challenged = true;
            return { kind: 'challenge', challenge: Buffer.from(`${link.service}@${link.hostname}`) };
          }
          return response !== null && Buffer.from(response).toString() === 'token'
            ? {
                kind: 'success',
                identity: { mechanism: 'GSSAPI', identity: 'gss', strength: 'strong' },
                additional: null,
              }
            : { kind: 'failure', reason: 'bad token' };
        },
      };
    },
  };
}

function localPart(url: string | undefined): string {
  return /^[a-z]+:([^@]*)@/.exec(url ?? '')?.[1] ?? '';
}

function domainOf(url: string | undefined): string {
  return /@([^@]*)$/.exec(url ?? '')?.[1] ?? '';
}

/** The PI document every fetch answers with. */
const FETCHED = 'presentity = "presence:joe@hub.example.net"\r\n';

/** An ok to send: the command's X-* headers unchanged, the effective content type and Inbox. */
function sendOkHeaders(cmd: CommandFrame): Header[] {
  return [
    ...cmd.headers.filter(([n]) => n.startsWith('X-')),
    ['X-Content-Type', contentType(cmd.method, cmd.headers)],
    ['X-Inbox', getHeader(cmd.headers, 'Inbox') ?? ''],
  ];
}

/** The relayed error of a fake next hop for remote.example and far.example, else undefined. */
function nextHopError(domain: string): Header[] | undefined {
  if (domain === 'remote.example')
    return relayedErrorHeaders(
      [
        ['Error-Type', 'target-not-found'],
        ['Error-Description', 'no such user'],
      ],
      'remote.example',
    );
  if (domain === 'far.example')
    return relayedErrorHeaders(
      [
        ['Error-Type', 'no-listeners'],
        ['Error-Originator', 'far.example'],
      ],
      'relay.example',
    );
  return undefined;
}

/** The server-side application; returns the hooks' command and response handlers. */
export function serverApp(
  session: () => Session<string>,
): Pick<SessionHooks<string>, 'command' | 'response'> {
  const held: string[] = [];
  const ok = (id: string, headers: Header[] = [], payload: Uint8Array | null = null): void =>
    session().respond(id, 'ok', headers, payload);
  const sendOk = (cmd: CommandFrame, payload: Uint8Array | null = null): void =>
    ok(cmd.id, sendOkHeaders(cmd), payload);
  return {
    command(cmd) {
      const s = session();
      try {
        if (cmd.method === 'fetch') {
          ok(cmd.id, [], Buffer.from(FETCHED));
          return;
        }
        if (cmd.method === 'fetch-notify') throw new HubError('quota', 'too many notifications');
        if (cmd.method !== 'send') {
          ok(cmd.id);
          return;
        }
        const inbox = getHeader(cmd.headers, 'Inbox');
        const who = localPart(inbox);
        const hopError = nextHopError(domainOf(inbox));
        if (hopError) s.respond(cmd.id, 'error', hopError);
        else if (who === 'nobody') throw new HubError('no-listeners', 'nobody is listening');
        else if (who === 'full') throw new HubError('quota', 'too many messages');
        else if (who === 'slow') held.push(cmd.id);
        else if (who === 'release') {
          sendOk(cmd);
          for (const id of held.splice(0)) ok(id);
        } else if (who === 'shutdown') {
          sendOk(cmd);
          s.sendCommand('shutdown', [], null, 'shutdown');
        } else if (who === 'echo') sendOk(cmd, cmd.payload);
        else sendOk(cmd);
      } catch (e) {
        s.respondError(cmd.id, e);
      }
    },
    response() {},
  };
}

/** Runs one transcript's implementation side on a Session, synchronously. */
export function sessionPeer(
  t: Transcript,
): TranscriptPeer & { session: Session<string>; responses: ResponseFrame[] } {
  const output: Buffer[] = [];
  const responses: ResponseFrame[] = [];
  let session!: Session<string>;
  const link: LinkInfo = {
    service: GSSAPI_SERVICE[t.protocol],
    hostname: TEST_HUB.hostname,
    tls: false,
    mutualTls: false,
  };
  const write = (b: Buffer): void => void output.push(b);
  if (t.underTest === 'S') {
    const app = serverApp(() => session);
    session = new Session<string>(
      {
        role: 'acceptor',
        protocol: t.protocol,
        sasl: createSaslServer(
          {
            plain: {
              verify: (id, pw) => (TEST_HUB.users.get(id) === pw ? `im:${id}@${TEST_HUB.hostname}` : null),
            },
            extra: [gssapiStub()],
          },
          link,
        ),
        allowUnauthenticated: defaultAuthPolicy(TEST_HUB.allowUnauthenticated),
      },
      {
        write,
        command: app.command,
        response: (r) => void responses.push(r),
        close: () => {},
      },
    );
  } else {
    // The client side: authenticates with PLAIN when offered, acknowledges shutdown and commands.
    session = new Session<string>(
      { role: 'initiator', protocol: t.protocol },
      {
        write,
        command: (c) => session.respond(c.id, 'ok'),
        response: (r) => void responses.push(r),
        close: () => {},
        mech: (list) => {
          if (list.includes('PLAIN')) session.authenticate(plainClient('alice', 'secret'));
        },
      },
    );
  }
  session.start();
  const take = (n: number): Buffer => {
    const all = Buffer.concat(output);
    output.length = 0;
    if (all.length > n) output.push(all.subarray(n));
    return all.subarray(0, n);
  };
  return {
    session,
    responses,
    write: (bytes) => session.receive(bytes),
    read: (n) => take(n),
    closed: () => session.closed,
    end: () => session.end(),
    leftover: () => take(Infinity),
  };
}

/**
 * A thenable that settles synchronously: the connection calls `then` directly, so an answer
 * resolved while another command is handled goes out in the same write, in the order the
 * session-level app produces (pipeline.imtp: a held answer right after the one that releases it).
 * `after` runs once the connection has taken this answer.
 */
class SyncAnswer implements PromiseLike<Answer> {
  private value: Answer | null = null;
  private taker: ((a: Answer) => void) | null = null;

  constructor(private readonly after?: () => void) {}

  resolve(a: Answer): void {
    this.value = a;
    if (this.taker !== null) this.deliver(this.taker);
  }

  then<A = Answer, B = never>(onOk?: ((a: Answer) => A | PromiseLike<A>) | null): PromiseLike<A | B> {
    const take = (a: Answer): void => void onOk?.(a);
    if (this.value !== null) this.deliver(take);
    else this.taker = take;
    return this as unknown as PromiseLike<A | B>;
  }

  private deliver(take: (a: Answer) => void): void {
    take(this.value!);
    this.after?.();
  }
}

/** The behaviours of `serverApp` as a HubApplication, for the real TCP server. */
export function transcriptApplication(): HubApplication {
  const held: SyncAnswer[] = [];
  const OK: Answer = { status: 'ok', headers: [] };
  const sendOk = (cmd: CommandFrame, payload?: Uint8Array): Answer => ({
    status: 'ok',
    headers: sendOkHeaders(cmd),
    payload,
  });
  const policy = defaultAuthPolicy(TEST_HUB.allowUnauthenticated);
  return {
    allowUnauthenticated: policy,
    command(conn, cmd) {
      if (cmd.method === 'fetch') return { status: 'ok', headers: [], payload: Buffer.from(FETCHED) };
      if (cmd.method === 'fetch-notify') throw new HubError('quota', 'too many notifications');
      if (cmd.method !== 'send') return OK;
      const inbox = getHeader(cmd.headers, 'Inbox');
      const who = localPart(inbox);
      const hopError = nextHopError(domainOf(inbox));
      if (hopError) return { status: 'error', headers: hopError };
      if (who === 'nobody') throw new HubError('no-listeners', 'nobody is listening');
      if (who === 'full') return Promise.reject(new HubError('quota', 'too many messages'));
      if (who === 'slow') {
        const d = new SyncAnswer();
        held.push(d);
        return d;
      }
      if (who === 'release') {
        const d = new SyncAnswer(() => {
          for (const h of held.splice(0)) h.resolve(OK);
        });
        d.resolve(sendOk(cmd));
        return d;
      }
      if (who === 'shutdown') {
        // After the ok has been written: the answer goes out with this input, the command next.
        queueMicrotask(() => void conn.command('shutdown'));
        return sendOk(cmd);
      }
      if (who === 'echo') return sendOk(cmd, cmd.payload);
      return sendOk(cmd);
    },
  };
}
