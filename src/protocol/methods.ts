/**
 * The method table of draft-hudson-impp-transfer-proposal-01 §14-16 (docs/hub-protocol.md parts 2.9-2.11):
 * protocol, required and optional headers, which may repeat, payload rules for the command and its
 * ok response, source and target header (§12 table, part 2.7) and the legal Error-Types.
 */
import type { ErrorType } from '../errors.js';
import { getHeader, type Header } from './headers.js';
import { headerCheck } from './header-values.js';

/** The two protocols of the draft: IMTP (instant messages, §16) and PITP (presence, §15). */
export type Protocol = 'imtp' | 'pitp';
export type PayloadRule = 'none' | 'optional' | 'required';

export interface MethodSpec {
  readonly name: string;
  /** 'common' methods (§14) exist in both protocols. */
  readonly protocol: Protocol | 'common';
  readonly required: readonly string[];
  readonly optional: readonly string[];
  /** Headers that may occur more than once in the command (draft §10: others must not repeat). */
  readonly repeatable: readonly string[];
  readonly payload: PayloadRule;
  /** Headers an ok response may carry besides Astrength/Content-Type. */
  readonly okHeaders: readonly string[];
  readonly okPayload: PayloadRule;
  /** §12: the header naming the source / target, if any. */
  readonly source: string | null;
  readonly target: string | null;
  /** Error-Types particular to this method (besides §12's general ones). */
  readonly ownErrors: readonly ErrorType[];
}

/** §12: legal for any command. */
export const GENERAL_ERRORS: readonly ErrorType[] = [
  'malformed',
  'unknown-method',
  'resources',
  'communications',
];

/** Headers any command or response may carry: Astrength on anything relayed (§11.4), Content-Type (§10). */
export const COMMON_HEADERS: readonly string[] = ['Astrength', 'Content-Type'];

/** Headers of error responses (§12). */
export const ERROR_HEADERS: readonly string[] = ['Error-Type', 'Error-Description', 'Error-Originator'];

interface Row {
  p: Protocol | 'common';
  req?: string[];
  opt?: string[];
  rep?: string[];
  pay?: PayloadRule;
  okH?: string[];
  okP?: PayloadRule;
  src?: string;
  tgt?: string;
  err?: ErrorType[];
}

// draft §14-16; "src"/"tgt" are the §12 table (docs/hub-protocol.md part 2.7).
const ROWS: Record<string, Row> = {
  // §14.1; Mechanism only on the first step, Abort only on later ones (checked by the session).
  auth: {
    p: 'common',
    opt: ['Mechanism', 'Abort'],
    pay: 'optional',
    okP: 'optional',
    err: ['sasl-challenge', 'sasl-failure'],
  },
  // §14.2
  shutdown: { p: 'common' },
  // §15.1
  change: {
    p: 'pitp',
    req: ['Presentity', 'Mapping'],
    pay: 'optional',
    src: 'Presentity',
    err: ['mapping-range', 'update-race'],
  },
  // §15.2
  'change-notify': {
    p: 'pitp',
    req: ['Presentity', 'Subscription'],
    pay: 'required',
    okH: ['Unreliable'],
    src: 'Presentity',
    err: ['not-subscribed'],
  },
  // §15.3
  'delete-mapping': { p: 'pitp', req: ['Presentity', 'Mapping'], src: 'Presentity', err: ['mapping-range'] },
  // §15.4
  fetch: { p: 'pitp', req: ['Watcher', 'Presentity'], okP: 'required', src: 'Watcher', tgt: 'Presentity' },
  // §15.5; part 4 row 19: ok without payload = the mapping has no PI.
  'fetch-for-update': {
    p: 'pitp',
    req: ['Presentity', 'Mapping'],
    okP: 'optional',
    src: 'Presentity',
    err: ['mapping-range'],
  },
  // §15.6
  'fetch-notify': { p: 'pitp', req: ['Watcher', 'Presentity'] },
  // §15.7
  'get-class': {
    p: 'pitp',
    req: ['Presentity', 'Mapping'],
    okH: ['Wpattern'],
    src: 'Presentity',
    err: ['mapping-range'],
  },
  // §15.8
  'insert-mapping': {
    p: 'pitp',
    req: ['Presentity', 'Mapping'],
    opt: ['Wpattern'],
    rep: ['Wpattern'],
    pay: 'optional',
    src: 'Presentity',
    err: ['mapping-range'],
  },
  // §15.9
  'set-class': {
    p: 'pitp',
    req: ['Presentity', 'Mapping'],
    opt: ['Wpattern'],
    rep: ['Wpattern'],
    src: 'Presentity',
    err: ['mapping-range'],
  },
  // §15.10
  'start-wi': { p: 'pitp', req: ['Presentity'], okH: ['Subscription'], src: 'Presentity' },
  // §15.11
  subscribe: {
    p: 'pitp',
    req: ['Subscription', 'Presentity'],
    okP: 'required',
    src: 'Subscription',
    tgt: 'Presentity',
  },
  // §15.12
  'subscribe-notify': { p: 'pitp', req: ['Subscription', 'Presentity'] },
  // §15.13
  terminate: { p: 'pitp', req: ['Presentity', 'Subscription'], src: 'Presentity', err: ['not-subscribed'] },
  // §15.14
  'terminate-notify': { p: 'pitp', req: ['Presentity', 'Subscription'], err: ['not-subscribed'] },
  // §15.15
  unsubscribe: {
    p: 'pitp',
    req: ['Subscription', 'Presentity'],
    src: 'Subscription',
    err: ['not-subscribed'],
  },
  // §15.16
  'unsubscribe-notify': { p: 'pitp', req: ['Subscription', 'Presentity'] },
  // §16.1
  listen: { p: 'imtp', req: ['Inbox'], opt: ['Only', 'Except'], rep: ['Only', 'Except'], src: 'Inbox' },
  // §16.2
  send: {
    p: 'imtp',
    req: ['Sender', 'Inbox'],
    opt: ['Visited', 'Orig-Sender', 'Orig-Inbox'],
    rep: ['Orig-Inbox'],
    pay: 'required',
    okH: ['Unreliable'],
    okP: 'optional',
    src: 'Sender',
    tgt: 'Inbox',
    err: ['no-listeners', 'loop'],
  },
};

function build(name: string, r: Row): MethodSpec {
  return Object.freeze({
    name,
    protocol: r.p,
    required: r.req ?? [],
    optional: r.opt ?? [],
    repeatable: r.rep ?? [],
    payload: r.pay ?? 'none',
    okHeaders: r.okH ?? [],
    okPayload: r.okP ?? 'none',
    source: r.src ?? null,
    target: r.tgt ?? null,
    ownErrors: r.err ?? [],
  });
}

export const METHODS: ReadonlyMap<string, MethodSpec> = new Map(
  Object.entries(ROWS).map(([n, r]) => [n, build(n, r)]),
);

/**
 * The method as known on a connection of `protocol`; undefined for an unknown method (→ `unknown-method`,
 * draft §10). Names are case-sensitive (§10): "SEND" is unknown.
 */
export function methodSpec(method: string, protocol: Protocol): MethodSpec | undefined {
  const spec = METHODS.get(method);
  return spec !== undefined && (spec.protocol === 'common' || spec.protocol === protocol) ? spec : undefined;
}

/** Every Error-Type legal in an answer to `method` (§12 and the method's section). */
export function legalErrors(spec: MethodSpec): ErrorType[] {
  const out = [...GENERAL_ERRORS];
  // §12: "If this table does not list a source header for a method, then source-authorization and
  // quota are not valid responses; likewise ... target" (part 3 row 32).
  if (spec.source !== null) out.push('source-authorization', 'quota');
  if (spec.target !== null) out.push('target-authorization', 'target-not-found');
  out.push(...spec.ownErrors);
  return out;
}

export function isLegalError(method: string, type: string): boolean {
  const spec = METHODS.get(method);
  if (spec === undefined) return (GENERAL_ERRORS as readonly string[]).includes(type);
  return (legalErrors(spec) as string[]).includes(type);
}

/** draft §10 (part 3 row 9): the default Content-Type of a payload of `method`. */
export function defaultContentType(method: string): string {
  const spec = METHODS.get(method);
  if (spec?.name === 'auth') return 'application/octet-stream';
  if (spec?.protocol === 'pitp') return 'application/presence';
  if (spec?.protocol === 'imtp') return 'text/plain; charset=UTF-8';
  return 'application/octet-stream';
}

/** The Content-Type of a message's payload: its header, else the method's default (row 9). */
export function contentType(method: string, headers: readonly Header[]): string {
  return getHeader(headers, 'Content-Type') ?? defaultContentType(method);
}

/**
 * Checks a command against its method: required headers present (draft §14-16), payload present
 * or absent as allowed (§10, part 3 row 7), values of the method's headers and the common ones
 * matching their grammar (§10/§11, part 3 row 10). Returns the reason it is malformed, or null.
 * Repeated non-repeatable headers are not an error (§10: the first counts, part 3 row 12).
 */
export function checkCommand(
  spec: MethodSpec,
  frame: { readonly headers: readonly Header[]; readonly payload?: Uint8Array | undefined },
): string | null {
  const headers = frame.headers;
  const required = spec.required;
  for (let i = 0; i < required.length; i++) {
    const name = required[i]!;
    if (getHeader(headers, name) === undefined) return `${spec.name} requires a ${name} header`;
  }
  if (spec.payload === 'none' && frame.payload !== undefined) return `${spec.name} allows no payload`;
  if (spec.payload === 'required' && frame.payload === undefined) return `${spec.name} requires a payload`;
  const checks = valueChecks(spec);
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    const check = checks.get(h[0]);
    if (check !== undefined && !check(h[1])) return `invalid ${h[0]} value`;
  }
  return null;
}

type ValueCheck = (value: string) => boolean;

/**
 * `check` with a memory of the last four values it accepted (issue 18). A relay checks the same
 * few Sender, Inbox and Visited values on every send, twice (as the command arrives and as it is
 * relayed), and the frame decoder hands out the same strings for them (octets.ts), so most
 * checks end at a pointer comparison. The checks are pure functions of the value; only accepted
 * values are remembered.
 */
function remembered(check: ValueCheck): ValueCheck {
  const seen: (string | undefined)[] = [undefined, undefined, undefined, undefined];
  let next = 0;
  return (value) => {
    if (value === seen[0] || value === seen[1] || value === seen[2] || value === seen[3]) return true;
    if (!check(value)) return false;
    seen[next] = value;
    next = (next + 1) & 3;
    return true;
  };
}

/**
 * Per method: the value checks of the headers it knows (its own and COMMON_HEADERS) that have a
 * grammar; one Map lookup per received header instead of three list scans and a second lookup.
 */
const VALUE_CHECKS = new Map<MethodSpec, ReadonlyMap<string, ValueCheck>>();

function valueChecks(spec: MethodSpec): ReadonlyMap<string, ValueCheck> {
  let m = VALUE_CHECKS.get(spec);
  if (m === undefined) {
    const built = new Map<string, ValueCheck>();
    for (const name of [...spec.required, ...spec.optional, ...COMMON_HEADERS]) {
      const check = headerCheck(name);
      if (check !== undefined) built.set(name, remembered(check));
    }
    VALUE_CHECKS.set(spec, built);
    m = built;
  }
  return m;
}
