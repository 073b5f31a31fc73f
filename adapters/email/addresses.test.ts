import { describe, expect, it } from 'vitest';
import { mailboxToIdentity, protectedDomains, resolveRecipient, type MappingConfig } from './addresses.js';

const cfg: MappingConfig = {
  domain: 'mail.gw.test',
  localDomain: 'xn--bcher-kva.test',
  aliases: {},
  lists: [{ name: 'dev', room: 'im:dev@gw.test', subscribers: ['a@x.test'], open: false }],
};

describe('recipients in normal form (issue 13)', () => {
  it.each(['bob@mail.gw.test', 'bob@MAIL.GW.TEST', 'bob@mail.gw.test.', 'bob@ｍａｉｌ.gw.test'])(
    '%s resolves like bob@mail.gw.test',
    (rcpt) => {
      expect(resolveRecipient(rcpt, cfg)).toMatchObject({
        kind: 'inbox',
        inbox: { uri: 'im:bob@xn--bcher-kva.test' },
      });
    },
  );

  it.each(['bob=gw.test.@mail.gw.test', 'bob=GW.test@mail.gw.test.'])('%s is im:bob@gw.test', (rcpt) => {
    expect(resolveRecipient(rcpt, cfg)).toMatchObject({ kind: 'inbox', inbox: { uri: 'im:bob@gw.test' } });
  });

  it('an IDN target in Unicode is its A-label inbox', () => {
    expect(resolveRecipient('bob=bücher.test@mail.gw.test', cfg)).toMatchObject({
      inbox: { uri: 'im:bob@xn--bcher-kva.test' },
    });
  });

  it.each(['x=mail.gw.test.@mail.gw.test', 'x=MAIL.gw.test@mail.gw.test', 'x=mail.gw.test@mail.gw.test.'])(
    '%s is still no relay to ourselves',
    (rcpt) => {
      expect(resolveRecipient(rcpt, cfg)).toBe('relay');
    },
  );

  it.each(['bob@mail.gw.test/x', 'bob@mail.gw.test.evil.example', 'bob@mail.gw.test?x'])(
    '%s is foreign',
    (rcpt) => {
      expect(resolveRecipient(rcpt, cfg)).toBe('foreign-domain');
    },
  );
});

describe('protectedDomains and identities in normal form', () => {
  it('holds each domain once, in A-label form without a trailing dot', () => {
    expect([...protectedDomains(cfg, ['Other.Test', 'bücher.test', 'x.test.'])].sort()).toEqual(
      ['gw.test', 'mail.gw.test', 'other.test', 'x.test', 'xn--bcher-kva.test'].sort(),
    );
  });

  it('a mailbox spelled with a trailing dot or in Unicode is one identity', () => {
    const a = mailboxToIdentity('dave@bücher.test.', cfg.domain);
    expect(a.uri).toBe(mailboxToIdentity('dave@xn--bcher-kva.test', cfg.domain).uri);
    expect(mailboxToIdentity('dave@Elsewhere.test.', cfg.domain).uri).toBe(
      mailboxToIdentity('dave@elsewhere.test', cfg.domain).uri,
    );
  });
});
