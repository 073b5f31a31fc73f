/**
 * IMTP/PITP transcripts (docs/architecture.md part 10): dialogues in the draft's own notation (§13), replayed
 * against an implementation through an abstract peer, so the same files drive the session state
 * machine (test/transcripts.test.ts) and the real TCP server.
 *
 * Format, one item per line:
 *   # row: 5, 7          checklist rows of spec/hub-protocol.md part 3 the file covers
 *   # role: server       who is under test: server (the acceptor, default) or client (the initiator)
 *   # anything else      a comment
 *   C: text              what the client sends; CRLF is appended
 *   S: text              what the server sends; CRLF is appended
 *   C: / S:              an empty line (just CRLF)
 *   S! close             that side closes the connection
 * In text, `\r` `\n` `\t` `\\` `\xHH` are escapes, and a trailing `\c` means "no CRLF after this
 * line" (for payloads that do not end in CRLF). Blank lines are ignored. Consecutive lines of one
 * side form one step. Lines of the side under test are expectations, compared byte for byte; the
 * other side's are written to the implementation.
 */

export type Side = 'C' | 'S';

export type Step =
  | { readonly kind: 'bytes'; readonly side: Side; readonly bytes: Buffer; readonly line: number }
  | { readonly kind: 'close'; readonly side: Side; readonly line: number };

export interface Transcript {
  readonly name: string;
  readonly protocol: 'imtp' | 'pitp';
  /** The side under test: 'S' for role server, 'C' for role client. */
  readonly underTest: Side;
  readonly rows: readonly number[];
  readonly steps: readonly Step[];
}

function unescape(text: string, file: string, line: number): { bytes: Buffer; crlf: boolean } {
  let crlf = true;
  if (text.endsWith('\\c')) {
    crlf = false;
    text = text.slice(0, -2);
  }
  const out: number[] = [];
  const raw = Buffer.from(text, 'utf8');
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i]!;
    if (b !== 0x5c) {
      out.push(b);
      continue;
    }
    const c = String.fromCharCode(raw[++i] ?? 0);
    if (c === 'r') out.push(0x0d);
    else if (c === 'n') out.push(0x0a);
    else if (c === 't') out.push(0x09);
    else if (c === '\\') out.push(0x5c);
    else if (c === 'x') {
      const hex = String.fromCharCode(raw[i + 1] ?? 0, raw[i + 2] ?? 0);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new Error(`${file}:${line}: bad \\x escape`);
      out.push(parseInt(hex, 16));
      i += 2;
    } else throw new Error(`${file}:${line}: unknown escape \\${c}`);
  }
  if (crlf) out.push(0x0d, 0x0a);
  return { bytes: Buffer.from(out), crlf };
}

export function parseTranscript(name: string, text: string): Transcript {
  const protocol = name.endsWith('.pitp') ? 'pitp' : 'imtp';
  let underTest: Side = 'S';
  const rows: number[] = [];
  const steps: Step[] = [];
  let current: { side: Side; parts: Buffer[]; line: number } | null = null;
  const flush = (): void => {
    if (current !== null)
      steps.push({
        kind: 'bytes',
        side: current.side,
        bytes: Buffer.concat(current.parts),
        line: current.line,
      });
    current = null;
  };
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const n = i + 1;
    if (raw.trim() === '') return;
    if (raw.startsWith('#')) {
      const m = /^#\s*(row|rows|role):\s*(.*)$/.exec(raw);
      if (m?.[1] === 'role') {
        const role = m[2]!.trim();
        if (role !== 'server' && role !== 'client')
          throw new Error(`${name}:${n}: role must be server or client`);
        underTest = role === 'server' ? 'S' : 'C';
      } else if (m !== null) {
        for (const r of m[2]!.split(/[\s,]+/).filter(Boolean)) {
          if (!/^\d+$/.test(r)) throw new Error(`${name}:${n}: bad row ${r}`);
          rows.push(Number(r));
        }
      }
      return;
    }
    const d = /^([CS])! close$/.exec(raw);
    if (d !== null) {
      flush();
      steps.push({ kind: 'close', side: d[1] as Side, line: n });
      return;
    }
    const m = /^([CS]):(?: (.*))?$/.exec(raw);
    if (m === null)
      throw new Error(`${name}:${n}: expected "C:", "S:", "C! close", "S! close" or a # comment`);
    const side = m[1] as Side;
    const { bytes } = unescape(m[2] ?? '', name, n);
    if (current === null || current.side !== side) {
      flush();
      current = { side, parts: [], line: n };
    }
    current.parts.push(bytes);
  });
  flush();
  return { name, protocol, underTest, rows, steps };
}

/** All bytes one side sends, in order. */
export function sideBytes(t: Transcript, side: Side): Buffer {
  return Buffer.concat(t.steps.flatMap((s) => (s.kind === 'bytes' && s.side === side ? [s.bytes] : [])));
}

/** The implementation under test, seen from the transcript's other side. */
export interface TranscriptPeer {
  /** Delivers the other side's bytes to the implementation. */
  write(bytes: Uint8Array): void | Promise<void>;
  /** Up to `n` octets of the implementation's output; fewer only when it closed or stopped producing (timeout). */
  read(n: number): Promise<Uint8Array> | Uint8Array;
  /** Whether the implementation closed the connection (may wait a little for it). */
  closed(): Promise<boolean> | boolean;
  /** The other side closes its end. */
  end(): void | Promise<void>;
  /** Output not consumed by any expectation once the transcript is done (may wait a little). */
  leftover(): Promise<Uint8Array> | Uint8Array;
}

/** Shows bytes the way transcripts write them. */
export function show(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) {
    if (b === 0x0a) s += '\\n\n';
    else if (b === 0x0d) s += '\\r';
    else if (b === 0x5c) s += '\\\\';
    else if (b < 0x20 || b >= 0x7f) s += '\\x' + b.toString(16).padStart(2, '0');
    else s += String.fromCharCode(b);
  }
  return s;
}

/** Replays a transcript; throws on the first difference, naming the transcript line. */
export async function runTranscript(
  t: Transcript,
  peer: TranscriptPeer,
  options: { chunk?: number } = {},
): Promise<void> {
  for (const step of t.steps) {
    const at = `${t.name}:${step.line}`;
    if (step.kind === 'close') {
      if (step.side === t.underTest) {
        if (!(await peer.closed()))
          throw new Error(`${at}: expected the ${t.underTest === 'S' ? 'server' : 'client'} to close`);
      } else {
        await peer.end();
      }
      continue;
    }
    if (step.side !== t.underTest) {
      const size = options.chunk ?? step.bytes.length;
      for (let i = 0; i < step.bytes.length; i += size) await peer.write(step.bytes.subarray(i, i + size));
      continue;
    }
    const got = Buffer.from(await peer.read(step.bytes.length));
    if (!got.equals(step.bytes)) {
      throw new Error(
        `${at}: output differs\n--- expected ---\n${show(step.bytes)}\n--- actual ---\n${show(got)}`,
      );
    }
  }
  const rest = await peer.leftover();
  if (rest.length > 0) throw new Error(`${t.name}: unexpected output after the transcript\n${show(rest)}`);
}
