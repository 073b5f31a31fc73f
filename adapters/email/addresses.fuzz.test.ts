// Fuzzing the email address mapping (adapters/email/README.md; RFC 5321 4.1.2 mailboxes; issue 13
// "Fuzzing in CI"): any RCPT TO or mailbox text is split or refused without an exception, and a
// recipient is never routed outside the adapter's domain except through a foreign-mail address
// (`local=domain`) that names a real domain other than ours: no relaying.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzz, FUZZ_TIMEOUT, mutatedFrom, tokenSoup } from '../../test/support/fuzz.js';
import { parseAddress, formatAddress } from '../../src/index.js';
import { parseEmailConfig } from './config.js';
import { resolveRecipient, splitMailbox, type MappingConfig } from './addresses.js';
import { normalizeDomain } from './normalize-mailbox.js';

const config = parseEmailConfig({
  type: 'email',
  domain: 'mail.gw.test',
  aliases: { support: 'im:carol@gw.test' },
  lists: [{ name: 'dev', room: 'im:dev@gw.test', subscribers: ['x@example.org'] }],
});
const CFG: MappingConfig = { domain: config.domain, aliases: config.aliases, lists: config.lists };
const CFG_LOCAL: MappingConfig = { ...CFG, localDomain: 'gw.test' };
const VALID = [
  'alice@mail.gw.test',
  'dev@mail.gw.test',
  'support@Mail.GW.test',
  'bob=irc.example.org@mail.gw.test',
  '"a b"@mail.gw.test',
  'mailto=x@y@mail.gw.test',
].map((s) => Buffer.from(s));
const TOKENS = [
  '@',
  '=',
  '"',
  '\\',
  '.',
  'mail.gw.test',
  'gw.test',
  'dev',
  'support',
  'x',
  ' ',
  '%',
  '<',
  '>',
  'é',
];

describe('email address mapping fuzz', () => {
  it(
    'any mailbox text: split or null, and a recipient that relays nowhere',
    () => {
      fuzz(
        fc.property(
          fc.oneof(
            fc.string({ maxLength: 80 }),
            mutatedFrom(VALID, 4).map((b) => b.toString('utf8')),
            tokenSoup(TOKENS, 20).map((b) => b.toString('utf8')),
          ),
          fc.constantFrom(CFG, CFG_LOCAL),
          (rcpt, cfg) => {
            const m = splitMailbox(rcpt);
            if (m !== null) expect(m.domain).toBe(m.domain.toLowerCase());
            const r = resolveRecipient(rcpt, cfg);
            if (typeof r === 'string') {
              expect(['foreign-domain', 'relay', 'unknown']).toContain(r);
              return;
            }
            // Only mail to our own domain is taken, compared in normal form as resolveRecipient
            // documents (issue 13: `x@D.`, upper case, IDN forms and ignorable code points such
            // as U+FEFF all name D; found by this fuzz test, seed 464619159).
            expect(m === null ? undefined : normalizeDomain(m.domain)).toBe(cfg.domain);
            // A list is our own room address; anything else is an inbox elsewhere, never back
            // into the mail domain (a loop) and never a mail relay.
            const inbox = r.kind === 'list' ? r.identity : r.inbox;
            expect(inbox.scheme).toBe('im');
            if (r.kind === 'inbox') expect(inbox.domain).not.toBe(cfg.domain);
            // The identity is a real address: it formats and parses back.
            expect(parseAddress(formatAddress(inbox))).toEqual(inbox);
          },
        ),
      );
    },
    FUZZ_TIMEOUT,
  );

  // Regression found by this file. Minimal counterexample: a NUL in the local part with
  // `localDomain` set threw a CodecError out of resolveRecipient (and so out of RCPT TO).
  it('"\\0lice@mail.gw.test" is an unknown recipient, not an exception', () => {
    expect(resolveRecipient('\u0000lice@mail.gw.test', CFG_LOCAL)).toBe('unknown');
    expect(resolveRecipient('al\u0007ice@mail.gw.test', CFG_LOCAL)).toBe('unknown');
  });
});
