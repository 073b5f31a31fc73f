/**
 * `cpim-gateway listen URI`: IMTP `listen` (draft §16.1), then prints each message that arrives
 * and answers it `ok` until Ctrl-C. A `message/cpim` payload is unwrapped for display (sender,
 * DateTime and content from inside it, docs/hub-protocol.md part 5.2); anything else is shown as text
 * when it is text, else summarised.
 */
import { parseArgs } from 'node:util';
import { parseCpim } from '../codec/cpim/index.js';
import type { CommandFrame } from '../hub/frame/index.js';
import { getHeader, type Answer } from '../protocol/index.js';
import { expectOk, HUB_OPTIONS, inbox, untilStopped, UsageError, withHub, type CliIo } from './common.js';

export interface ShownMessage {
  readonly from: string;
  readonly time: string;
  readonly contentType: string;
  readonly text: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function asText(bytes: Uint8Array, contentType: string): string {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type.startsWith('text/') || type === 'application/json') {
    try {
      return utf8.decode(bytes);
    } catch {
      // not UTF-8: summarised below
    }
  }
  return `[${bytes.length} octets of ${type}]`;
}

/** What `listen` shows of one IMTP send. */
export function showMessage(command: CommandFrame, received: Date = new Date()): ShownMessage {
  const sender =
    getHeader(command.headers, 'Orig-Sender') ?? getHeader(command.headers, 'Sender') ?? '(unknown sender)';
  const outerType = getHeader(command.headers, 'Content-Type') ?? 'text/plain; charset=UTF-8';
  const payload = command.payload ?? new Uint8Array(0);
  if (/^message\/cpim\s*(;|$)/i.test(outerType.trim())) {
    const parsed = parseCpim(payload, { startsWith: 'cpim-headers', mode: 'lenient' });
    if (parsed.result !== 'reject') {
      const m = parsed.message;
      const innerType =
        m.contentHeaders.find((h) => h.name.toLowerCase() === 'content-type')?.value ?? 'text/plain';
      return {
        from: m.semantics.from?.uri ?? sender.trim(),
        time: m.semantics.datetime ?? received.toISOString(),
        contentType: innerType,
        text: asText(m.body, innerType),
      };
    }
  }
  return {
    from: sender.trim(),
    time: received.toISOString(),
    contentType: outerType,
    text: asText(payload, outerType),
  };
}

export function formatMessage(m: ShownMessage): string {
  return `From: ${m.from}\nDate: ${m.time}\nType: ${m.contentType}\n\n${m.text}${m.text.endsWith('\n') ? '' : '\n'}\n`;
}

export async function listenCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: HUB_OPTIONS,
  });
  if (positionals.length !== 1) throw new UsageError('listen takes exactly one inbox URI');
  const box = inbox(positionals[0]!);
  let movedOut = false;
  let close = (): void => undefined;
  const onCommand = (c: CommandFrame): Answer => {
    if (c.method === 'send') {
      io.stdout(formatMessage(showMessage(c)));
      return { status: 'ok', headers: [] };
    }
    if (c.method === 'shutdown') {
      // draft §14.2: acknowledge; there is no other server to move to, so stop.
      movedOut = true;
      setImmediate(close);
      return { status: 'ok', headers: [] };
    }
    return { status: 'error', headers: [['Error-Type', 'unknown-method']] };
  };
  return withHub(
    values,
    'imtp',
    io,
    async (client) => {
      close = () => void client.close();
      expectOk(await client.command('listen', [['Inbox', box.hub]]), box.uri);
      io.stdout(`listening on ${box.uri} (Ctrl-C to stop)\n`);
      const why = await untilStopped(io, client.closed);
      if (why === 'closed') {
        io.stderr(
          movedOut
            ? 'the gateway is shutting down; stopped listening\n'
            : 'the connection to the gateway was lost\n',
        );
        return 1;
      }
      return 0;
    },
    onCommand,
  );
}
