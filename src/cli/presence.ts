/**
 * `cpim-gateway presence set|get|watch`: PITP as a presentity (store management, draft §15.1,
 * §15.7, §15.8) and as a watcher (fetch §15.4, subscribe/unsubscribe §15.11, §15.15, notifies
 * §15.2, §15.14). Presence is published as PIDF (RFC 3863, `application/pidf+xml`).
 */
import { parseArgs } from 'node:util';
import { buildPidf, parsePidf } from '../codec/pidf/index.js';
import type { CommandFrame } from '../hub/frame/index.js';
import { getHeader, type Answer } from '../protocol/index.js';
import {
  expectOk,
  HUB_OPTIONS,
  presentity,
  untilStopped,
  UsageError,
  withHub,
  type CliIo,
  type HubArgs,
} from './common.js';

const PIDF = 'application/pidf+xml';

/** A PI payload as lines people read: the parsed PIDF, or the text of another format. */
export function formatPresence(
  bytes: Uint8Array | null | undefined,
  contentType: string | undefined,
): string {
  if (bytes == null || bytes.length === 0) return '  (no presence information)\n';
  const type = (contentType ?? 'application/presence').split(';')[0]!.trim().toLowerCase();
  if (type !== PIDF) return `  [${type}]\n${Buffer.from(bytes).toString('utf8').replace(/^/gm, '  ')}\n`;
  let doc;
  try {
    doc = parsePidf(bytes, { lenient: true }).document;
  } catch (e) {
    return `  (unreadable PIDF: ${(e as Error).message})\n`;
  }
  let out = `${doc.entity}\n`;
  for (const t of doc.tuples) {
    const notes = t.notes.map((n) => `"${n.text}"`).join(', ');
    out += `  ${t.id}: ${t.basic ?? '(no basic status)'}${notes ? ` — ${notes}` : ''}\n`;
    if (t.contact !== null)
      out += `    contact ${t.contact.uri}${t.contact.priority === null ? '' : ` (priority ${t.contact.priority})`}\n`;
    if (t.timestamp !== null) out += `    at ${t.timestamp}\n`;
  }
  for (const n of doc.notes) out += `  note: "${n.text}"\n`;
  return out;
}

const OPTIONS = { ...HUB_OPTIONS, note: { type: 'string', short: 'n' }, as: { type: 'string' } } as const;

export async function presenceCommand(args: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    strict: true,
    options: OPTIONS,
  });
  switch (sub) {
    case 'set':
      if (positionals.length !== 2) throw new UsageError('presence set takes URI and open|closed');
      return set(values, positionals[0]!, positionals[1]!, io);
    case 'get':
    case 'watch': {
      if (positionals.length !== 1) throw new UsageError(`presence ${sub} takes exactly one URI`);
      const target = presentity(positionals[0]!);
      // --as defaults to the logged-in user at the presentity's domain.
      const user = values.user ?? (io.env ?? process.env).CPIM_USER;
      const asText =
        values.as ?? (user === undefined ? undefined : `pres:${user}@${target.uri.split('@').pop()}`);
      if (asText === undefined) throw new UsageError(`presence ${sub} needs --as WATCHER (or --user)`);
      const watcher = presentity(asText);
      return sub === 'get' ? get(values, target, watcher, io) : watch(values, target, watcher, io);
    }
    default:
      throw new UsageError(
        sub === undefined ? 'presence needs set, get or watch' : `unknown presence command "${sub}"`,
      );
  }
}

type Values = HubArgs & { note?: string | undefined };
type Who = ReturnType<typeof presentity>;

async function set(values: Values, uri: string, status: string, io: CliIo): Promise<number> {
  if (status !== 'open' && status !== 'closed') throw new UsageError('the status is open or closed');
  const p = presentity(uri);
  const doc = buildPidf({
    entity: p.uri,
    tuples: [
      {
        id: 'im',
        basic: status,
        contact: p.im,
        notes: values.note === undefined ? [] : [{ lang: null, text: values.note }],
        timestamp: new Date().toISOString(),
      },
    ],
  });
  return withHub(values, 'pitp', io, async (client) => {
    const base: [string, string][] = [
      ['Presentity', p.hub],
      ['Mapping', '1'],
    ];
    // Mapping 1 exists? Change its PI; else create it for every `presence:` watcher (§15.7, §15.8).
    const cls = await client.command('get-class', base);
    let r;
    if (cls.status === 'ok')
      r = await client.command('change', [...base, ['Content-Type', PIDF]], Buffer.from(doc));
    else if (getHeader(cls.headers, 'Error-Type') === 'mapping-range')
      r = await client.command(
        'insert-mapping',
        [...base, ['Wpattern', 'presence:*'], ['Content-Type', PIDF]],
        Buffer.from(doc),
      );
    else r = cls;
    expectOk(r, p.uri);
    const seenBy =
      cls.status === 'ok' ? cls.headers.filter(([n]) => n === 'Wpattern').map(([, v]) => v) : ['presence:*'];
    io.stdout(
      `ok: ${p.uri} is ${status}${values.note === undefined ? '' : ` ("${values.note}")`}; ` +
        `seen by ${seenBy.join(', ') || 'nobody (mapping 1 has no watcher patterns)'}\n`,
    );
    return 0;
  });
}

async function get(values: Values, target: Who, watcher: Who, io: CliIo): Promise<number> {
  return withHub(values, 'pitp', io, async (client) => {
    const r = await client.command('fetch', [
      ['Watcher', watcher.hub],
      ['Presentity', target.hub],
    ]);
    expectOk(r, target.uri);
    io.stdout(formatPresence(r.payload, getHeader(r.headers, 'Content-Type')));
    return 0;
  });
}

async function watch(values: Values, target: Who, watcher: Who, io: CliIo): Promise<number> {
  let ended: (() => void) | undefined;
  const terminated = new Promise<void>((r) => (ended = r));
  const onCommand = (c: CommandFrame): Answer => {
    if (c.method === 'change-notify') {
      io.stdout(`changed:\n${formatPresence(c.payload, getHeader(c.headers, 'Content-Type'))}`);
      return { status: 'ok', headers: [] };
    }
    if (c.method === 'terminate-notify') {
      io.stdout(`the subscription to ${target.uri} was ended by its presentity\n`);
      ended!();
      return { status: 'ok', headers: [] };
    }
    if (c.method === 'shutdown') {
      ended!();
      return { status: 'ok', headers: [] };
    }
    return { status: 'error', headers: [['Error-Type', 'unknown-method']] };
  };
  // §11.7: a client's Subscription carries an empty connection-id.
  const subscription: [string, string][] = [
    ['Subscription', `/${watcher.hub}`],
    ['Presentity', target.hub],
  ];
  return withHub(
    values,
    'pitp',
    io,
    async (client) => {
      const r = expectOk(await client.command('subscribe', subscription), target.uri);
      io.stdout(`watching ${target.uri} as ${watcher.uri} (Ctrl-C to stop)\n`);
      io.stdout(formatPresence(r.payload, getHeader(r.headers, 'Content-Type')));
      const why = await untilStopped(io, Promise.race([terminated, client.closed]));
      // §15.11: a client unsubscribes before it goes (part 3 row 47).
      if (why === 'signal') await client.command('unsubscribe', subscription);
      return 0;
    },
    onCommand,
  );
}
