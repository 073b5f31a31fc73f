import { describe, expect, it } from 'vitest';
import { CodecError, HubError } from '../errors.js';
import { decodeAll, type CommandFrame, type Frame, type ResponseFrame } from './frame/index.js';
import { createSaslServer, plainClient, type SaslClientMechanism } from './sasl.js';
import { Session, defaultAuthPolicy, type CloseReason, type Notice, type SessionOptions } from './session.js';
import type { AuthInfo } from './session-auth.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const link = { service: 'IMTP', hostname: 'hub.example.net', tls: false, mutualTls: false } as const;

function harness(options: Partial<SessionOptions> & Pick<SessionOptions, 'role'>) {
  const writes: Buffer[] = [];
  const commands: CommandFrame[] = [];
  const responses: { r: ResponseFrame; ctx: unknown; synthetic: boolean }[] = [];
  const closes: CloseReason[] = [];
  const notices: Notice[] = [];
  const auths: AuthInfo[] = [];
  const failures: [string, number][] = [];
  const shutdowns: string[] = [];
  const mechs: (readonly string[])[] = [];
  const session = new Session<string>(
    { protocol: 'imtp', ...options },
    {
      write: (bytes) => void writes.push(bytes),
      command: (c) => void commands.push(c),
      response: (r, ctx, synthetic) => void responses.push({ r, ctx, synthetic }),
      close: (r) => void closes.push(r),
      notice: (n) => void notices.push(n),
      authenticated: (a) => void auths.push(a),
      authFailed: (why, n) => void failures.push([why, n]),
      shutdown: (id) => void shutdowns.push(id),
      mech: (m) => void mechs.push(m),
    },
  );
  /** Frames written since the last call. */
  const out = (): Frame[] => {
    const all = Buffer.concat(writes.splice(0));
    const { frames, errors } = decodeAll(all);
    expect(errors).toEqual([]);
    return frames;
  };
  return { session, writes, commands, responses, closes, notices, auths, failures, shutdowns, mechs, out };
}

const plainServer = createSaslServer(
  { plain: { verify: (id, pw) => (id === 'alice' && pw === 'secret' ? 'im:alice@hub.example.net' : null) } },
  link,
);

describe('acceptor', () => {
  it('sends =mech on start and answers a chunk of pipelined commands in one write', () => {
    const h = harness({ role: 'acceptor', sasl: plainServer, allowUnauthenticated: () => true });
    h.session.start();
    expect(h.out()).toEqual([{ kind: 'mech', mechanisms: ['PLAIN'] }]);
    h.session.receive(b('>1 nosuch\r\n\r\n>2 nosuch\r\n\r\n>3 nosuch\r\n\r\n'));
    expect(h.writes).toHaveLength(1);
    expect(h.out().map((f) => f.kind === 'response' && f.id)).toEqual(['1', '2', '3']);
  });

  it('hands valid commands to the application and sends its answers; answers may come out of order', () => {
    const h = harness({ role: 'acceptor', allowUnauthenticated: () => true });
    h.session.receive(b('>1 listen\r\nInbox: im:a@b.c\r\n\r\n>2 listen\r\nInbox: im:d@b.c\r\n\r\n'));
    expect(h.commands.map((c) => c.id)).toEqual(['1', '2']);
    expect(h.session.unanswered).toBe(2);
    h.session.respond('2', 'ok');
    h.session.respondError('1', new HubError('quota', 'too much'));
    expect(h.out()).toEqual([
      { kind: 'response', id: '2', status: 'ok', method: 'listen', headers: [], payload: undefined },
      {
        kind: 'response',
        id: '1',
        status: 'error',
        method: 'listen',
        headers: [
          ['Error-Type', 'quota'],
          ['Error-Description', 'too much'],
        ],
        payload: undefined,
      },
    ]);
    expect(() => h.session.respond('1', 'ok')).toThrow(/no unanswered command/);
  });

  it('refuses an error answer without Error-Type (draft §12)', () => {
    const h = harness({ role: 'acceptor', allowUnauthenticated: () => true });
    h.session.receive(b('>1 listen\r\nInbox: im:a@b.c\r\n\r\n'));
    expect(() => h.session.respond('1', 'error', [])).toThrow(/Error-Type/);
  });

  it('refuses methods before authentication by policy (part 4 row 28)', () => {
    const h = harness({ role: 'acceptor', allowUnauthenticated: defaultAuthPolicy({ send: true }) });
    h.session.receive(
      b(
        '>1 listen\r\nInbox: im:a@b.c\r\n\r\n>2 send\r\nSender: im:a@b.c\r\nInbox: im:d@b.c\r\nContent-Length: 1\r\n\r\nx',
      ),
    );
    const [r1] = h.out() as ResponseFrame[];
    expect(r1!.headers[0]).toEqual(['Error-Type', 'source-authorization']);
    expect(h.commands.map((c) => c.id)).toEqual(['2']);
  });

  it('closes on a fatal framing error after writing what it had', () => {
    const h = harness({ role: 'acceptor' });
    h.session.receive(b('>1 nosuch\r\n\r\nGARBAGE\r\n'));
    expect(h.out()).toHaveLength(1);
    expect(h.closes).toEqual([expect.objectContaining({ code: 'protocol-error' })]);
    expect(h.session.closed).toBe(true);
    h.session.receive(b('=nop\r\n'));
    expect(h.writes).toEqual([]);
  });

  it('reports a stream that ends mid-message as truncated, a clean end as peer-closed', () => {
    const h = harness({ role: 'acceptor' });
    h.session.receive(b('>1 send\r\nContent-Length: 9\r\n\r\nabc'));
    h.session.end();
    expect(h.closes[0]!.code).toBe('truncated');
    const k = harness({ role: 'acceptor' });
    k.session.end();
    expect(k.closes[0]!.code).toBe('peer-closed');
  });

  it('authenticates with PLAIN and then resends the identical =mech', () => {
    const h = harness({ role: 'acceptor', sasl: plainServer });
    h.session.start();
    h.out();
    h.session.receive(b('>1 auth\r\nMechanism: PLAIN\r\nContent-Length: 13\r\n\r\n\0alice\0secret'));
    expect(h.out()).toEqual([
      { kind: 'response', id: '1', status: 'ok', method: 'auth', headers: [], payload: undefined },
      { kind: 'mech', mechanisms: ['PLAIN'] },
    ]);
    expect(h.auths).toEqual([{ mechanism: 'PLAIN', identity: 'im:alice@hub.example.net', strength: 'weak' }]);
    expect(h.session.linkStrength).toBe('weak');
  });

  it('closes after three failed authentications (part 4 row 30)', () => {
    const h = harness({ role: 'acceptor', sasl: plainServer });
    const bad = '>x auth\r\nMechanism: PLAIN\r\nContent-Length: 12\r\n\r\n\0alice\0wrong';
    h.session.receive(b(bad.replace('x', '1')));
    h.session.receive(b(bad.replace('x', '2')));
    expect(h.closes).toEqual([]);
    h.session.receive(b(bad.replace('x', '3')));
    expect(h.failures.map(([, n]) => n)).toEqual([1, 2, 3]);
    expect(h.closes[0]!.code).toBe('auth-failures');
    expect(h.out()).toHaveLength(3);
  });

  it('answers shutdown from the initiator with unknown-method (draft §14.2)', () => {
    const h = harness({ role: 'acceptor', allowUnauthenticated: () => true });
    h.session.receive(b('>1 shutdown\r\n\r\n'));
    expect((h.out()[0] as ResponseFrame).headers[0]).toEqual(['Error-Type', 'unknown-method']);
  });

  it('batches output produced outside receive() when autoFlush is off', () => {
    const h = harness({ role: 'acceptor', autoFlush: false, allowUnauthenticated: () => true });
    h.session.start();
    h.session.sendCommand('shutdown');
    h.session.sendNop();
    expect(h.writes).toHaveLength(0);
    h.session.flush();
    expect(h.writes).toHaveLength(1);
    expect(h.out().map((f) => f.kind)).toEqual(['mech', 'command', 'nop']);
  });
});

describe('outgoing commands', () => {
  it('never reuses an outstanding id and delivers answers with their context', () => {
    const h = harness({ role: 'acceptor' });
    const ids = new Set<string>();
    for (let i = 0; i < 50; i++) ids.add(h.session.sendCommand('shutdown', [], null, `ctx${i}`));
    expect(ids.size).toBe(50);
    expect(h.session.outstanding).toBe(50);
    const [first] = ids;
    h.session.receive(b(`<${first} ok (shutdown)\r\n\r\n`));
    expect(h.responses).toEqual([expect.objectContaining({ ctx: 'ctx0', synthetic: false })]);
    expect(h.session.outstanding).toBe(49);
  });

  it('discards answers to unknown ids without answering them (part 4 row 22)', () => {
    const h = harness({ role: 'acceptor' });
    h.session.receive(b('<99 ok (send)\r\n\r\n'));
    expect(h.writes).toEqual([]);
    expect(h.notices[0]!.code).toBe('unknown-response');
  });

  it('turns an unparseable answer into a synthetic communications error', () => {
    const h = harness({ role: 'acceptor' });
    const id = h.session.sendCommand('shutdown', [], null, 'c');
    h.session.receive(b(`<${id} ok (shutdown)\r\nX: \x01\r\n\r\n`));
    expect(h.responses[0]!.synthetic).toBe(true);
    expect(h.responses[0]!.r.headers[0]).toEqual(['Error-Type', 'communications']);
    expect(h.writes.length).toBe(1); // only the command itself
  });

  it('fails every outstanding command when the connection closes', () => {
    const h = harness({ role: 'acceptor' });
    h.session.sendCommand('shutdown', [], null, 'a');
    h.session.sendCommand('shutdown', [], null, 'b');
    h.session.end();
    expect(h.responses.map((x) => [x.ctx, x.synthetic, x.r.headers[0]![1]])).toEqual([
      ['a', true, 'communications'],
      ['b', true, 'communications'],
    ]);
  });

  it('checks known methods (part 3 row 7) and refuses injection', () => {
    const h = harness({ role: 'acceptor' });
    expect(() =>
      h.session.sendCommand('send', [
        ['Sender', 'im:a@b.c'],
        ['Inbox', 'im:d@b.c'],
      ]),
    ).toThrow(HubError);
    expect(() => h.session.sendCommand('listen', [['Inbox', 'im:a@b.c\r\n>2 x']])).toThrow();
    expect(() => h.session.sendCommand('x-ext\r\n', [])).toThrow(CodecError);
    expect(() => h.session.sendCommand('auth')).toThrow(/authenticate/);
    expect(h.session.outstanding).toBe(0);
  });
});

describe('initiator', () => {
  function connected() {
    const h = harness({ role: 'initiator' });
    h.session.receive(b('=mech PLAIN GSSAPI\r\n'));
    return h;
  }

  it('reports the mechanism list and runs a challenge round', () => {
    const h = connected();
    expect(h.mechs).toEqual([['PLAIN', 'GSSAPI']]);
    const seen: string[] = [];
    const mech: SaslClientMechanism = {
      name: 'GSSAPI',
      initial: () => null,
      challenge: (d) => (seen.push(Buffer.from(d).toString()), Buffer.from('resp')),
    };
    h.session.authenticate(mech);
    const [first] = h.out() as CommandFrame[];
    expect(first).toMatchObject({ method: 'auth', headers: [['Mechanism', 'GSSAPI']], payload: undefined });
    expect(() => h.session.sendCommand('listen', [['Inbox', 'im:a@b.c']])).toThrow(/only auth/);
    h.session.receive(
      b(`<${first!.id} error (auth)\r\nError-Type: sasl-challenge\r\nContent-Length: 4\r\n\r\nchal`),
    );
    const [second] = h.out() as CommandFrame[];
    expect(seen).toEqual(['chal']);
    expect(second).toMatchObject({ method: 'auth', headers: [] });
    expect(Buffer.from(second!.payload!).toString()).toBe('resp');
    h.session.receive(b(`<${second!.id} ok (auth)\r\n\r\n=mech PLAIN GSSAPI\r\n`));
    expect(h.auths).toEqual([{ mechanism: 'GSSAPI', identity: null, strength: 'none' }]);
    expect(h.session.authenticated?.mechanism).toBe('GSSAPI');
    h.session.sendCommand('listen', [['Inbox', 'im:a@b.c']]);
  });

  it('closes when the list after success differs (downgrade, part 3 row 22)', () => {
    const h = connected();
    h.session.authenticate(plainClient('alice', 'secret'));
    const [cmd] = h.out() as CommandFrame[];
    h.session.receive(b(`<${cmd!.id} ok (auth)\r\n\r\n=mech GSSAPI\r\n`));
    expect(h.closes[0]!.code).toBe('mech-mismatch');
    expect(h.auths).toEqual([]);
  });

  it('closes when something other than =mech follows the ok', () => {
    const h = connected();
    h.session.authenticate(plainClient('alice', 'secret'));
    const [cmd] = h.out() as CommandFrame[];
    h.session.receive(b(`<${cmd!.id} ok (auth)\r\n\r\n>1 shutdown\r\n\r\n`));
    expect(h.closes[0]!.code).toBe('mech-mismatch');
  });

  it('aborts when the mechanism gives up, and reports failures', () => {
    const h = connected();
    h.session.authenticate(plainClient('alice', 'secret'));
    const [cmd] = h.out() as CommandFrame[];
    h.session.receive(
      b(`<${cmd!.id} error (auth)\r\nError-Type: sasl-challenge\r\nContent-Length: 1\r\n\r\n?`),
    );
    const [abort] = h.out() as CommandFrame[];
    expect(abort!.headers).toEqual([['Abort', '']]);
    h.session.receive(b(`<${abort!.id} ok (auth)\r\n\r\n`));
    expect(h.failures).toEqual([['aborted', 0]]);
    h.session.authenticate(plainClient('alice', 'bad'));
    const [again] = h.out() as CommandFrame[];
    h.session.receive(
      b(`<${again!.id} error (auth)\r\nError-Type: sasl-failure\r\nError-Description: no\r\n\r\n`),
    );
    expect(h.failures[1]).toEqual(['no', 1]);
    expect(() => h.session.authenticate(plainClient('a', 'b'))).not.toThrow();
  });

  it('refuses a mechanism that was not offered', () => {
    const h = connected();
    expect(() => h.session.authenticate({ name: 'X', initial: () => null, challenge: () => null })).toThrow(
      /not offered/,
    );
  });

  it('emits shutdown for the application to answer (part 3 row 33)', () => {
    const h = connected();
    h.session.receive(b('>s1 shutdown\r\n\r\n'));
    expect(h.shutdowns).toEqual(['s1']);
    h.session.respondError('s1', new HubError('communications', 'no other server'));
    expect((h.out()[0] as ResponseFrame).headers[0]).toEqual(['Error-Type', 'communications']);
  });

  it('answers auth from the acceptor with unknown-method (part 3 row 16)', () => {
    const h = connected();
    h.session.receive(b('>s1 auth\r\nMechanism: PLAIN\r\n\r\n'));
    expect((h.out()[0] as ResponseFrame).headers[0]).toEqual(['Error-Type', 'unknown-method']);
    expect(h.commands).toEqual([]);
  });

  it('notes an acceptor-style =mech sent by the initiator side', () => {
    const h = harness({ role: 'acceptor' });
    h.session.receive(b('=mech PLAIN\r\n'));
    expect(h.notices[0]!.code).toBe('unexpected-mech');
  });
});
