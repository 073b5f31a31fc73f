/**
 * `cpim-gateway send --from URI --to URI TEXT`: one IMTP `send` (draft §16.2). The text travels
 * as `message/cpim` (docs/hub-protocol.md part 5.2 "Wrapping hub-native text": From, To, DateTime,
 * then `Content-Type: text/plain; charset=UTF-8` and the text), built with the codec.
 */
import { parseArgs } from 'node:util';
import { buildCpim } from '../codec/cpim/index.js';
import {
  getHeader,
  STORED_HEADER,
  STORED_HISTORY,
  STORED_OFFLINE,
  STORED_QUEUED,
} from '../protocol/index.js';
import { expectOk, HUB_OPTIONS, inbox, UsageError, withHub, type CliIo } from './common.js';

/** What each `Stored:` value means to the person who sent it. */
const STORED_WORDS: Readonly<Record<string, string>> = {
  [STORED_OFFLINE]: 'kept, to be delivered when the recipient is back',
  [STORED_QUEUED]: 'queued for the foreign network, sent also after a restart',
  [STORED_HISTORY]: 'kept in the room history (no member was there)',
};

export async function sendCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: { ...HUB_OPTIONS, from: { type: 'string', short: 'f' }, to: { type: 'string', short: 't' } },
  });
  if (values.to === undefined) throw new UsageError('send needs --to URI');
  if (positionals.length === 0)
    throw new UsageError('send needs the TEXT to send ("-" reads standard input)');
  const text =
    positionals.length === 1 && positionals[0] === '-'
      ? Buffer.from(io.readStdin()).toString('utf8')
      : positionals.join(' ');
  const to = inbox(values.to);
  const user = values.user ?? (io.env ?? process.env).CPIM_USER;
  const fromText = values.from ?? (user === undefined ? undefined : `im:${user}@${to.uri.split('@').pop()}`);
  if (fromText === undefined) throw new UsageError('send needs --from URI (or --user)');
  const from = inbox(fromText);
  const payload = buildCpim({
    startsWith: 'cpim-headers',
    from: { uri: from.uri },
    to: [{ uri: to.uri }],
    dateTime: new Date(),
    contentHeaders: [['Content-Type', 'text/plain; charset=UTF-8']],
    body: text,
  });

  return withHub(values, 'imtp', io, async (client) => {
    const r = expectOk(
      await client.command(
        'send',
        [
          ['Sender', from.hub],
          ['Inbox', to.hub],
          ['Content-Type', 'message/cpim'],
        ],
        payload,
      ),
      to.uri,
    );
    const unreliable = getHeader(r.headers, 'Unreliable');
    // docs/hub-protocol.md part 4 row 33: `Stored` says the message was kept, not delivered.
    const stored = getHeader(r.headers, STORED_HEADER);
    io.stdout(
      stored !== undefined
        ? `ok: ${STORED_WORDS[stored] ?? `kept (${stored})`} for ${to.uri}\n`
        : unreliable === undefined
          ? `ok: delivered to ${to.uri}\n`
          : `ok: handed on to ${unreliable} for ${to.uri} (no end-to-end receipt)\n`,
    );
    if (r.payload !== undefined && r.payload.length > 0)
      io.stdout(`auto-reply: ${Buffer.from(r.payload).toString('utf8')}\n`);
    return 0;
  });
}
