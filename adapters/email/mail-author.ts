/**
 * Who wrote a mail, and every address in it that claims an identity (issue 13, "nobody speaks for
 * someone else"). Pure: the pipeline checks the claims against the protected domains and the
 * SMTP AUTH user, and shows the author.
 *
 * RFC 5322 3.6.2: `From` names the author(s), `Sender` the one agent that sent the mail, and the
 * envelope MAIL FROM (RFC 5321 4.1.1.2) is where bounces go. Each of them is a claim, so each is
 * returned for checking; the author shown is one of them, never a display name.
 */
import { normalizeMailbox, type NormalMailbox } from './normalize-mailbox.js';

/** One entry of an address header as mailparser gives it: a mailbox, or a group of them. */
export interface AddressEntry {
  readonly address?: string | undefined;
  readonly name: string;
  readonly group?: readonly AddressEntry[] | undefined;
}

export interface AuthorInput {
  /** Every entry of the From field, groups included. */
  readonly from: readonly AddressEntry[];
  /** Every entry of the Sender field. */
  readonly sender: readonly AddressEntry[];
  /** How many From and Sender header fields the mail has. */
  readonly fromFields: number;
  readonly senderFields: number;
  /** The envelope sender, `''` for the null reverse-path `<>`. */
  readonly envelopeFrom: string;
}

export interface Author {
  /** The author's mailbox, in normal form. */
  readonly mailbox: NormalMailbox;
  /** The author's display name, unless it looked like an address (then see `droppedName`). */
  readonly name: string | undefined;
  readonly droppedName?: string;
  /** Every address that claims an identity: From, Sender, envelope sender. */
  readonly claims: readonly NormalMailbox[];
}

export interface AuthorRefusal {
  readonly code: number;
  readonly status: string;
  readonly text: string;
  /** For the warn line. */
  readonly reason: string;
}

/** Schemes of addresses a reader takes for an identity (RFC 3860, 3859, 6068, 7622, 3261). */
const URI_LIKE = /\b(?:im|pres|mailto|xmpp|sips?|tel):/i;

/**
 * A display name a reader could take for an address: one with `@` once NFKC-normalised (which
 * folds fullwidth `＠` U+FF20 and small `﹫` U+FE6B into `@`), or with an address's URI scheme.
 * mailparser has already decoded encoded-words (RFC 2047), so `=?utf-8?q?alice=40gw.test?=` is
 * seen as `alice@gw.test` here; a comment `(alice@gw.test)` after the address arrives as the name.
 */
export function looksLikeAddress(name: string): boolean {
  const n = name.normalize('NFKC');
  return n.includes('@') || URI_LIKE.test(n);
}

function flatten(entries: readonly AddressEntry[]): AddressEntry[] {
  const out: AddressEntry[] = [];
  for (const e of entries) {
    // RFC 5322 3.4 group syntax: `friends: a@x, b@y;` names every member, `undisclosed:;` none.
    if (e.group !== undefined) out.push(...flatten(e.group));
    else if (e.address !== undefined && e.address !== '') out.push(e);
  }
  return out;
}

const refusal = (code: number, status: string, text: string, reason: string): AuthorRefusal => ({
  code,
  status,
  text,
  reason,
});

type Parsed = { readonly entry: AddressEntry; readonly mailbox: NormalMailbox };

function parseAll(entries: readonly AddressEntry[], field: string): Parsed[] | AuthorRefusal {
  const out: Parsed[] = [];
  for (const entry of flatten(entries)) {
    const mailbox = normalizeMailbox(entry.address!);
    if (mailbox === null)
      return refusal(550, '5.1.7', `${field} address is not valid`, `invalid ${field} address`);
    out.push({ entry, mailbox });
  }
  return out;
}

/**
 * The author and the claims of a mail, or why it is refused.
 *
 * - More than one From or Sender field: refused (RFC 5322 3.6 allows each at most once; with two,
 *   readers disagree on which one counts, the start of a spoof).
 * - Several From addresses: RFC 5322 3.6.2 says Sender MUST then be present; the author shown is
 *   the Sender (the one agent responsible), and without one the mail is refused rather than
 *   showing one author picked from several.
 * - One From address: it is the author; a Sender is still a claim and is checked.
 * - No From address (absent, a display name alone, an empty group): the Sender, else the envelope
 *   sender, which are checked like a From.
 * Refusals are 550 (permanent): the same mail would be refused again. 5.1.7 is RFC 3463's "bad
 * sender's mailbox address syntax", 5.7.1 "delivery not authorized, message refused".
 */
export function selectAuthor(input: AuthorInput): Author | AuthorRefusal {
  if (input.fromFields > 1 || input.senderFields > 1)
    return refusal(550, '5.7.1', 'one From and at most one Sender field', 'repeated From or Sender field');
  const froms = parseAll(input.from, 'From');
  if (!Array.isArray(froms)) return froms;
  const senders = parseAll(input.sender, 'Sender');
  if (!Array.isArray(senders)) return senders;
  // RFC 5322 3.6.2: sender = "Sender:" mailbox, exactly one.
  if (senders.length > 1)
    return refusal(550, '5.7.1', 'Sender names one mailbox', 'several Sender addresses');
  const envelope = input.envelopeFrom === '' ? null : normalizeMailbox(input.envelopeFrom);
  const claims = [...froms, ...senders].map((p) => p.mailbox);
  if (envelope !== null) claims.push(envelope);

  let chosen: Parsed | undefined;
  if (froms.length > 1) {
    chosen = senders[0];
    if (chosen === undefined)
      return refusal(
        550,
        '5.7.1',
        'several From addresses need a Sender',
        'several From addresses and no Sender',
      );
  } else chosen = froms[0] ?? senders[0];
  if (chosen === undefined) {
    if (envelope === null) return refusal(550, '5.1.7', 'no sender address', 'no From');
    return { mailbox: envelope, name: undefined, claims };
  }
  const name = chosen.entry.name.trim();
  if (name !== '' && looksLikeAddress(name))
    return { mailbox: chosen.mailbox, name: undefined, droppedName: name, claims };
  return { mailbox: chosen.mailbox, name: name === '' ? undefined : name, claims };
}

export function isRefusal(r: Author | AuthorRefusal): r is AuthorRefusal {
  return 'code' in r;
}
