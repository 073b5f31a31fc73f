/**
 * IMTP/PITP framing (draft-hudson-impp-transfer-proposal-01 §10): the frame types and the decoder
 * (decode.ts, re-exported here). Headers and answers are the protocol's own (src/protocol): a
 * response frame is an Answer plus the id and method it answers. No I/O.
 *
 * `FrameDecoder` is incremental: feed it whatever the socket delivers with `push(chunk)`; it calls
 * `handler.onFrame` for every complete protocol message and `handler.onFrameError` for every
 * problem. Complete lines are found with `Buffer.indexOf(LF)`; payloads are `subarray`s of the
 * pushed chunk when the chunk holds them whole (zero copy), so callers must not reuse or mutate a
 * chunk after pushing it. Only an incomplete line (at most `maxLineLength` octets) or an
 * incomplete payload (at most `maxPayloadSize`) is ever held between pushes.
 *
 * The encoder lives in encode.ts.
 */
import type { Answer, Header } from '../../protocol/index.js';
import { FrameDecoder, type FrameLimits } from './decode.js';

export { DEFAULT_FRAME_LIMITS, FrameDecoder, type FrameLimits } from './decode.js';

export type { RawHeaders } from './raw.js';

export interface CommandFrame {
  readonly kind: 'command';
  readonly id: string;
  readonly method: string;
  /** In wire order, duplicates kept (draft §10: relays forward all values). Content-Length is not listed. */
  readonly headers: Header[];
  /** undefined when the message had no Content-Length (no payload); possibly empty otherwise. */
  readonly payload: Uint8Array | undefined;
}

/**
 * A response is the protocol's one answer shape (src/protocol/answer.ts) plus the id and method
 * of the command it answers (draft §10), so the router can pass it on as it is.
 */
export interface ResponseFrame extends Answer {
  readonly kind: 'response';
  readonly id: string;
  readonly method: string;
  /** In wire order, duplicates kept. Content-Length is not listed. */
  readonly headers: Header[];
  /** undefined when the message had no Content-Length (no payload); possibly empty otherwise. */
  readonly payload: Uint8Array | undefined;
}

export interface MechFrame {
  readonly kind: 'mech';
  readonly mechanisms: readonly string[];
}

export interface NopFrame {
  readonly kind: 'nop';
}

export type Frame = CommandFrame | ResponseFrame | MechFrame | NopFrame;

/**
 * A decoding problem: what (`reason`, `rule`), where (`offset`, `line`) and the right answer.
 * - `malformed`: a recognisable command with a bad header; answer `malformed` to `id`, continue.
 * - `discard`: the same for a response; never answer a response (docs/hub-protocol.md part 4 row 22).
 * - `close`: the stream cannot be resynchronised or a hard limit was passed; close the connection.
 */
export interface FrameError {
  readonly fatal: boolean;
  readonly answer: 'malformed' | 'discard' | 'close';
  readonly reason: string;
  readonly rule: string;
  /** Octet offset in the stream (counting from the first pushed octet) of the offending line. */
  readonly offset: number;
  /** 1-based number of the protocol line (payload octets are not counted as lines). */
  readonly line: number;
  readonly frame: 'command' | 'response' | 'stream';
  readonly id: string | null;
  readonly method: string | null;
}

export interface FrameHandler {
  onFrame(frame: Frame): void;
  onFrameError(error: FrameError): void;
  /**
   * Issue 18: when present, a response that is `ok` with no header and no payload may come here
   * instead of `onFrame`, with its id and method (no frame built).
   */
  onPlainOk?(id: string, method: string): void;
}

/** Decodes a whole byte string at once (tests, tools). */
export function decodeAll(
  bytes: Uint8Array,
  limits: Partial<FrameLimits> = {},
): { frames: Frame[]; errors: FrameError[]; events: (Frame | FrameError)[] } {
  const frames: Frame[] = [];
  const errors: FrameError[] = [];
  const events: (Frame | FrameError)[] = [];
  const decoder = new FrameDecoder(
    {
      onFrame: (f) => {
        frames.push(f);
        events.push(f);
      },
      onFrameError: (e) => {
        errors.push(e);
        events.push(e);
      },
    },
    limits,
  );
  decoder.push(bytes);
  decoder.end();
  return { frames, errors, events };
}
