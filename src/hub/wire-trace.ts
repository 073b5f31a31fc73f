/**
 * Wire traces at log level `trace` (docs/architecture.md part 9): every frame in and out with its kind, id,
 * method, status and headers. Built only when `trace` is enabled, so the hot path pays nothing
 * otherwise. The bytes are decoded a second time here, so the trace shows what really crossed
 * the wire (including `=mech`, `=nop` and frames the session refused).
 *
 * SASL payloads never reach a log line: the payload of every `auth` command and of every answer
 * to `auth` (sasl-challenge data, additional data) is shown by length only, which also hides
 * PLAIN passwords (draft §14.1 carries them in the auth payload).
 */
import type { Logger } from '../log.js';
import { FrameDecoder, type Frame, type FrameError, type FrameHandler } from './frame/index.js';

const PREVIEW = 256;
const LOOSE = {
  maxLineLength: 1 << 30,
  maxHeaderCount: 1 << 30,
  maxHeaderBytes: 1 << 30,
  maxPayloadSize: 1 << 30,
  maxIdLength: 1 << 30,
};

function preview(payload: Uint8Array): string {
  const part = Buffer.from(payload.buffer, payload.byteOffset, Math.min(payload.byteLength, PREVIEW));
  const text = part.toString('utf8');
  return payload.byteLength > PREVIEW ? text + '…' : text;
}

class Direction implements FrameHandler {
  private readonly decoder: FrameDecoder;

  constructor(
    private readonly log: Logger,
    private readonly dir: 'in' | 'out',
    limits: object,
  ) {
    this.decoder = new FrameDecoder(this, { ...LOOSE, ...limits });
  }

  push(bytes: Uint8Array): void {
    this.decoder.push(bytes);
  }

  end(): void {
    this.decoder.end();
  }

  onFrame(frame: Frame): void {
    if (frame.kind === 'mech') {
      this.log.trace({ dir: this.dir, frame: 'mech', mechanisms: frame.mechanisms }, 'hub wire');
      return;
    }
    if (frame.kind === 'nop') {
      this.log.trace({ dir: this.dir, frame: 'nop' }, 'hub wire');
      return;
    }
    const fields: Record<string, unknown> = {
      dir: this.dir,
      frame: frame.kind,
      id: frame.id,
      method: frame.method,
      headers: frame.headers.map(([n, v]) => `${n}: ${v}`),
    };
    if (frame.kind === 'response') fields.status = frame.status;
    if (frame.payload != null) {
      fields.length = frame.payload.byteLength;
      // draft §14.1: auth payloads are SASL data (credentials); never log them.
      if (frame.method === 'auth') fields.body = '[sasl data hidden]';
      else fields.body = preview(frame.payload);
    }
    this.log.trace(fields, 'hub wire');
  }

  onFrameError(error: FrameError): void {
    this.log.trace(
      { dir: this.dir, frame: error.frame, id: error.id, method: error.method, problem: error.reason },
      'hub wire: unparseable frame',
    );
  }
}

/** Traces both directions of one connection. `limits` are the input decoder's, so input errors show as the session saw them. */
export class WireTrace {
  private readonly input: Direction;
  private readonly output: Direction;

  constructor(log: Logger, inputLimits: object) {
    this.input = new Direction(log, 'in', inputLimits);
    this.output = new Direction(log, 'out', {});
  }

  in(bytes: Uint8Array): void {
    this.input.push(bytes);
  }

  out(bytes: Uint8Array): void {
    this.output.push(bytes);
  }

  end(): void {
    this.input.end();
  }
}
