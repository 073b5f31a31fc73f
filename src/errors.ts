/**
 * Errors shared by every part of the gateway.
 *
 * Codecs report malformed input as a `CodecError` that names the rule broken (an RFC section)
 * and where (octet offset, 1-based line and column), so a user can find the fault in the input.
 * Wire answers are chosen from `ErrorType` by one table (src/hub/replies.ts), never by adapters.
 */

/** Where in an input a problem was found. Offsets count octets from the start of the input. */
export interface Position {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

/**
 * A rule a sender broke that still leaves the input usable (the PIDF and Hudson presence codecs
 * report these beside the document; CodecError is for what cannot be read).
 */
export interface CodecWarning {
  readonly message: string;
  readonly rule: string;
  readonly position?: Position;
}

export class CodecError extends Error {
  override readonly name = 'CodecError';
  constructor(
    message: string,
    /** The rule broken, e.g. "RFC 3862 2.2". */
    readonly rule: string,
    readonly position?: Position,
  ) {
    super(position ? `${message} (line ${position.line}, column ${position.column})` : message);
  }
  /** The reason without the position suffix. */
  get reason(): string {
    return this.position
      ? this.message.slice(
          0,
          this.message.length - ` (line ${this.position.line}, column ${this.position.column})`.length,
        )
      : this.message;
  }
}

/** Position of `offset` within `bytes`, counting lines by LF. */
export function positionAt(bytes: Uint8Array, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, bytes.length);
  for (let i = 0; i < end; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset, line, column: offset - lineStart + 1 };
}

/**
 * The error types of IMTP/PITP (draft-hudson-impp-transfer-proposal-01 §12 and per method),
 * as listed in spec/hub-protocol.md part 2.8.
 */
export const ERROR_TYPES = [
  'malformed',
  'unknown-method',
  'resources',
  'communications',
  'source-authorization',
  'quota',
  'target-authorization',
  'target-not-found',
  'sasl-challenge',
  'sasl-failure',
  'mapping-range',
  'update-race',
  'not-subscribed',
  'no-listeners',
  'loop',
] as const;
export type ErrorType = (typeof ERROR_TYPES)[number];

/** A failure that maps to an IMTP/PITP error answer. */
export class HubError extends Error {
  override readonly name = 'HubError';
  constructor(
    readonly type: ErrorType,
    message: string,
  ) {
    super(message);
  }
}

/** A configuration problem, with every issue found and its path. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly source: string,
    readonly issues: readonly { path: string; message: string }[],
  ) {
    super(
      `${source}: ${issues.length} problem(s)\n` +
        issues.map((i) => `  ${i.path || '(root)'}: ${i.message}`).join('\n'),
    );
  }
}

/** Plain words for the listen failures a person can fix. */
const LISTEN_REASONS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'address in use',
  EACCES: 'permission denied',
  EADDRNOTAVAIL: 'address not available',
};

/**
 * A listener that could not open. Its message is the one line `cpim-gateway start` prints:
 * the address, the port and the configuration key that chose them, so the fix is obvious.
 */
export class ListenError extends Error {
  override readonly name = 'ListenError';
  constructor(
    readonly host: string,
    readonly port: number,
    /** The configuration key of the port, e.g. `hub.imtp.port` or `adapters[0].http.port`. */
    readonly key: string,
    readonly reason: string,
  ) {
    super(`cannot listen on ${host}:${port} (${key}): ${reason}`);
  }

  /** From the error `listen` reported (its `code` in plain words). */
  static from(err: unknown, host: string, port: number, key: string): ListenError {
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    const reason =
      code !== undefined
        ? (LISTEN_REASONS[code] ?? code.toLowerCase())
        : String((err as Error)?.message ?? err);
    return new ListenError(host, port, key, reason);
  }

  /** The same failure with its key under `prefix` (the host knows which adapter entry it was). */
  under(prefix: string): ListenError {
    return new ListenError(this.host, this.port, `${prefix}.${this.key}`, this.reason);
  }
}
