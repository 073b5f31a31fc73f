import { describe, expect, it } from 'vitest';
import { HubError } from '../errors.js';
import type { CommandFrame } from './frame/index.js';
import { admitCommand, type AdmitContext } from './session-admit.js';

type Auth = NonNullable<AdmitContext['auth']>;

const send = (id: string, headers: [string, string][] = []): CommandFrame => ({
  kind: 'command',
  id,
  method: 'send',
  headers: [['Sender', 'im:a@x.example'], ['Inbox', 'im:b@y.example'], ...headers],
  payload: Buffer.from('hi'),
});

function acceptor(over: Partial<AdmitContext> = {}, auth: Auth = { inExchange: false, identity: null }) {
  return {
    protocol: 'imtp',
    role: 'acceptor',
    incoming: new Map<string, string>(),
    auth,
    policy: () => false,
    ...over,
  } satisfies AdmitContext;
}

function refusal(r: unknown): [string, string] {
  expect(r).toBeInstanceOf(HubError);
  return [(r as HubError).type, (r as HubError).message];
}

describe('admitCommand (draft §10, §14; part 3 rows 5, 13-14, 20; part 4 rows 10, 28)', () => {
  const signedIn: Auth = {
    inExchange: false,
    identity: { identity: 'u', mechanism: 'PLAIN', strength: 'weak' },
  };

  it('admits a well-formed command from an authenticated peer, with its method', () => {
    const r = admitCommand(send('1'), acceptor({}, signedIn));
    expect(r).not.toBeInstanceOf(HubError);
    expect((r as { name: string }).name).toBe('send');
  });

  it('refuses a reused id before anything else (row 5)', () => {
    const c = acceptor({ incoming: new Map([['1', 'send']]) }, signedIn);
    expect(refusal(admitCommand(send('1'), c))).toEqual([
      'malformed',
      'id 1 is already in use by an unanswered command',
    ]);
  });

  it('answers unknown-method for unknown, wrongly cased or wrong-protocol and wrong-direction methods', () => {
    const c = acceptor({}, signedIn);
    for (const method of ['SEND', 'fetch', 'nonsense', 'shutdown'])
      expect(refusal(admitCommand({ ...send('2'), method }, c))[0]).toBe('unknown-method');
    const initiator = acceptor({ role: 'initiator', auth: null });
    expect(refusal(admitCommand({ ...send('3'), method: 'auth', headers: [] }, initiator))[0]).toBe(
      'unknown-method',
    );
  });

  it('answers malformed for a command the method table refuses (row 7, 10)', () => {
    const c = acceptor({}, signedIn);
    expect(refusal(admitCommand({ ...send('4'), payload: undefined }, c))).toEqual([
      'malformed',
      'send requires a payload',
    ]);
  });

  it('admits auth before the SASL state is read; refuses others during an exchange (row 20)', () => {
    const busy = acceptor({}, { inExchange: true, identity: null });
    const auth = admitCommand({ ...send('5'), method: 'auth', headers: [['Mechanism', 'PLAIN']] }, busy);
    expect((auth as { name: string }).name).toBe('auth');
    expect(refusal(admitCommand(send('6'), busy))).toEqual([
      'malformed',
      'only auth is allowed during an authentication exchange',
    ]);
  });

  it('asks an unauthenticated peer to authenticate first unless the policy allows the method (part 4 rows 10, 28)', () => {
    expect(refusal(admitCommand(send('7'), acceptor()))).toEqual([
      'source-authorization',
      'authenticate first',
    ]);
    const open = acceptor({ policy: (m) => m === 'send' });
    expect(admitCommand(send('8'), open)).not.toBeInstanceOf(HubError);
  });
});
