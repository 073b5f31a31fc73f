/**
 * What an application sees of a parsed Message/CPIM (the vectors' `semantics`), and the
 * questions RFC 3862 leaves to the receiver's role (cpim-30).
 */
import type { ParseContext } from './context.js';
import type {
  CpimAddress,
  CpimHeader,
  CpimParseOptions,
  CpimPolicy,
  CpimRequirement,
  CpimSemantics,
} from './types.js';
import { checkCpimDateTime } from './values.js';

/** The section of RFC 3862 defining each core header. */
export const HEADER_RULES: Record<string, string> = {
  From: 'RFC 3862 4.1',
  To: 'RFC 3862 4.2',
  cc: 'RFC 3862 4.3',
  DateTime: 'RFC 3862 4.4',
  Subject: 'RFC 3862 4.5',
  NS: 'RFC 3862 4.6',
  Require: 'RFC 3862 4.7',
};

const POLICY_RECOMMENDATION: Record<string, string> = {
  From: 'endpoint: reject as ambiguous sender; relaying gateway: relay unchanged',
  DateTime: 'endpoint: reject as ambiguous send time; relaying gateway: relay unchanged',
};

/** What an application sees (docs/cpim.md vectors' `semantics`), and whether the message needs a policy decision. */
export function buildSemantics(
  ctx: ParseContext,
  headers: readonly CpimHeader[],
  options: CpimParseOptions,
): { semantics: CpimSemantics; policy?: CpimPolicy } {
  let from: CpimAddress | null = null;
  const to: CpimAddress[] = [];
  const cc: CpimAddress[] = [];
  let datetime: string | null = null;
  const subjects: { lang: string | null; text: string }[] = [];
  const required: CpimRequirement[] = [];
  const unknownHeaders: string[] = [];
  const extensionHeaders: { namespace: string; name: string; value: string }[] = [];
  const seen: Record<string, CpimHeader[]> = { From: [], DateTime: [] };
  for (const h of headers) {
    switch (h.kind) {
      case 'From':
        seen.From!.push(h);
        from ??= h.parsed as CpimAddress;
        break;
      case 'To':
        to.push(h.parsed as CpimAddress);
        break;
      case 'cc':
        cc.push(h.parsed as CpimAddress);
        break;
      case 'DateTime':
        seen.DateTime!.push(h);
        if (datetime === null && checkCpimDateTime(h.value) === null) datetime = h.value;
        break;
      case 'Subject':
        subjects.push({ lang: h.params.find((p) => p.kind === 'lang')?.value ?? null, text: h.decoded });
        break;
      case 'Require':
        for (const r of h.parsed as readonly CpimRequirement[]) required.push(r);
        break;
      case 'unknown':
        unknownHeaders.push(h.rawName);
        break;
      case 'extension':
        extensionHeaders.push({ namespace: h.namespace!, name: h.name, value: h.decoded });
        break;
    }
  }
  const semantics: CpimSemantics = {
    from,
    to,
    cc,
    datetime,
    subjects,
    required,
    unknownHeaders,
    extensionHeaders,
  };
  // RFC 3862 2.2 lets each header definition limit repeats and 4.1/4.4 define one sender and
  // one send time, but no rule says what to do with two (cpim-30): the receiver's role decides.
  for (const name of ['From', 'DateTime']) {
    const list = seen[name]!;
    if (list.length < 2) continue;
    const second = list[1]!;
    const reason = `${list.length} ${name} headers: the ${name === 'From' ? 'sender' : 'send time'} is ambiguous`;
    const rule = `RFC 3862 2.2, ${HEADER_RULES[name]!.slice('RFC 3862 '.length)}`;
    if (options.role === 'endpoint') ctx.fail(reason, rule, second.offset);
    if (options.role === 'relay') {
      ctx.warn(`${reason}; relayed unchanged`, rule, second.offset);
      continue;
    }
    return { semantics, policy: { reason, rule, recommendation: POLICY_RECOMMENDATION[name]! } };
  }
  return { semantics };
}
