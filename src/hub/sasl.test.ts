import { describe, expect, it } from 'vitest';
import {
  anonymousClient,
  createSaslServer,
  externalClient,
  parsePlain,
  plainClient,
  strengthOf,
  type LinkInfo,
  type SaslServer,
} from './sasl.js';

const clear: LinkInfo = { service: 'IMTP', hostname: 'h', tls: false, mutualTls: false };
const tls: LinkInfo = { ...clear, tls: true };
const mtls: LinkInfo = { ...clear, tls: true, mutualTls: true };
const u = (s: string): Uint8Array => new TextEncoder().encode(s);

const verify = (authcid: string, password: string, authzid: string | undefined): string | null =>
  authcid === 'alice' && password === 'secret' ? (authzid ?? 'alice') : null;

function run(server: SaslServer, mech: string, ...responses: (Uint8Array | null)[]) {
  const ex = server.start(mech);
  if (ex === null) return null;
  return responses.map((r) => ex.step(r));
}

describe('PLAIN (RFC 4616)', () => {
  it('parses [authzid] NUL authcid NUL passwd', () => {
    expect(parsePlain(u('\0alice\0secret'))).toEqual({
      authzid: undefined,
      authcid: 'alice',
      password: 'secret',
    });
    expect(parsePlain(u('bob\0alice\0secret'))).toEqual({
      authzid: 'bob',
      authcid: 'alice',
      password: 'secret',
    });
    expect(parsePlain(u('\0älice\0sécret'))).toEqual({
      authzid: undefined,
      authcid: 'älice',
      password: 'sécret',
    });
  });

  it.each([
    ['no NUL', 'alicesecret'],
    ['one NUL', 'alice\0secret'],
    ['three NULs', '\0alice\0sec\0ret'],
    ['empty authcid', '\0\0secret'],
    ['empty password', '\0alice\0'],
    ['long authcid', `\0${'a'.repeat(256)}\0x`],
  ])('refuses %s', (_, text) => {
    expect(parsePlain(u(text))).toBeNull();
  });

  it('refuses ill-formed UTF-8', () => {
    expect(parsePlain(Uint8Array.of(0, 0xc3, 0x28, 0, 0x61))).toBeNull();
  });

  it('checks credentials through the callback, with or without an initial response', () => {
    const server = createSaslServer({ plain: { verify } }, clear);
    expect(server.mechanisms).toEqual(['PLAIN']);
    expect(run(server, 'PLAIN', u('\0alice\0secret'))).toEqual([
      {
        kind: 'success',
        identity: { mechanism: 'PLAIN', identity: 'alice', strength: 'weak' },
        additional: null,
      },
    ]);
    const [challenge, outcome] = run(server, 'PLAIN', null, u('bob\0alice\0secret'))!;
    expect(challenge).toEqual({ kind: 'challenge', challenge: new Uint8Array(0) });
    expect(outcome).toMatchObject({ kind: 'success', identity: { identity: 'bob' } });
    expect(run(server, 'PLAIN', u('\0alice\0nope'))![0]).toEqual({
      kind: 'failure',
      reason: 'invalid credentials',
    });
  });

  it('is medium under TLS and can be limited to TLS', () => {
    const onlyTls = { plain: { verify, requireTls: true } };
    expect(createSaslServer(onlyTls, clear).mechanisms).toEqual([]);
    const server = createSaslServer(onlyTls, tls);
    expect(run(server, 'PLAIN', u('\0alice\0secret'))![0]).toMatchObject({
      identity: { strength: 'medium' },
    });
  });
});

describe('EXTERNAL (RFC 4422 appendix A)', () => {
  const external = {
    identity: (authzid: string | undefined) => (authzid === undefined || authzid === 'cert' ? 'cert' : null),
  };

  it('is offered only with a verified client certificate', () => {
    expect(createSaslServer({ external }, tls).mechanisms).toEqual([]);
    expect(createSaslServer({ external }, mtls).mechanisms).toEqual(['EXTERNAL']);
  });

  it('takes the identity from the TLS callback and is strong', () => {
    const server = createSaslServer({ external }, mtls);
    expect(run(server, 'EXTERNAL', u(''))![0]).toEqual({
      kind: 'success',
      identity: { mechanism: 'EXTERNAL', identity: 'cert', strength: 'strong' },
      additional: null,
    });
    expect(run(server, 'EXTERNAL', null, u('cert'))![1]).toMatchObject({ kind: 'success' });
    expect(run(server, 'EXTERNAL', u('someone-else'))![0]).toMatchObject({ kind: 'failure' });
  });
});

describe('ANONYMOUS (RFC 4505)', () => {
  it('is off by default', () => {
    const server = createSaslServer({ plain: { verify } }, clear);
    expect(server.mechanisms).not.toContain('ANONYMOUS');
    expect(server.start('ANONYMOUS')).toBeNull();
  });

  it('gives strength none when enabled', () => {
    const server = createSaslServer({ anonymous: true }, mtls);
    expect(run(server, 'ANONYMOUS', u('trace@example.net'))![0]).toEqual({
      kind: 'success',
      identity: { mechanism: 'ANONYMOUS', identity: 'anonymous', strength: 'none' },
      additional: null,
    });
    expect(run(server, 'ANONYMOUS', u('x'.repeat(256)))![0]).toMatchObject({ kind: 'failure' });
  });
});

describe('mechanism list and strengths', () => {
  it('keeps one order: EXTERNAL, PLAIN, ANONYMOUS, extras', () => {
    const extra = {
      name: 'GSSAPI',
      available: () => true,
      start: () => ({ step: () => ({ kind: 'failure', reason: '' }) as const }),
    };
    const server = createSaslServer(
      { anonymous: {}, plain: { verify }, external: { identity: () => 'x' }, extra: [extra] },
      mtls,
    );
    expect(server.mechanisms).toEqual(['EXTERNAL', 'PLAIN', 'ANONYMOUS', 'GSSAPI']);
  });

  it('maps mechanisms to Astrength (part 4 row 12)', () => {
    expect(strengthOf(null, clear)).toBe('none');
    expect(strengthOf('ANONYMOUS', mtls)).toBe('none');
    expect(strengthOf('PLAIN', clear)).toBe('weak');
    expect(strengthOf('PLAIN', tls)).toBe('medium');
    expect(strengthOf('CRAM-MD5', clear)).toBe('medium');
    expect(strengthOf('DIGEST-MD5', clear)).toBe('medium');
    expect(strengthOf('GSSAPI', clear)).toBe('strong');
    expect(strengthOf('EXTERNAL', mtls)).toBe('strong');
    expect(strengthOf('EXTERNAL', tls)).toBe('none');
  });
});

describe('client mechanisms', () => {
  it('PLAIN sends the initial response, or answers one empty challenge', () => {
    expect(Buffer.from(plainClient('alice', 'secret', 'bob').initial()!).toString()).toBe(
      'bob\0alice\0secret',
    );
    const m = plainClient('alice', 'secret');
    expect(m.challenge(new Uint8Array(0))).not.toBeNull();
    expect(m.challenge(new Uint8Array(0))).toBeNull();
    expect(() => plainClient('a\0', 'b')).toThrow();
  });

  it('EXTERNAL and ANONYMOUS', () => {
    expect(externalClient().initial()).toEqual(new Uint8Array(0));
    expect(Buffer.from(externalClient('me').initial()!).toString()).toBe('me');
    expect(Buffer.from(anonymousClient('t').initial()!).toString()).toBe('t');
  });
});
