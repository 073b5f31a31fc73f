/**
 * The hub calls the integration tests make again and again: reading a header, answering `ok`,
 * an IMTP `listen` (draft §16.1) that records what arrives, and a `send` (draft §16.2).
 */
import type { HubClient, HubClientOptions } from '../../src/hub/client.js';
import type { CommandFrame, ResponseFrame } from '../../src/hub/frame/index.js';
import type { Answer, Header } from '../../src/protocol/index.js';
import type { TestGateway } from './gateway.js';

/** The first value of header `name`, or undefined. */
export const h = (headers: readonly (readonly [string, string])[], name: string): string | undefined =>
  headers.find(([n]) => n === name)?.[1];

export const OK: Answer = { status: 'ok', headers: [] };

/**
 * Logs `user` in and listens on `inbox` (default im:user@gw.test); returns the commands that
 * arrive, each answered `ok`. A refused listen throws, naming its Error-Type.
 */
export async function listenAs(
  g: TestGateway,
  user: string,
  inbox = `im:${user}@gw.test`,
  extra: Partial<HubClientOptions> = {},
): Promise<CommandFrame[]> {
  const got: CommandFrame[] = [];
  const c = await g.client(
    user,
    'imtp',
    (cmd) => {
      got.push(cmd);
      return OK;
    },
    extra,
  );
  const r = await c.command('listen', [['Inbox', inbox]]);
  if (r.status !== 'ok') throw new Error(`listen on ${inbox} refused: ${h(r.headers, 'Error-Type')}`);
  return got;
}

/** An IMTP send from `from` to `to`, the body as given (default "hi"), extra headers after. */
export function sendText(
  c: Pick<HubClient, 'command'>,
  from: string,
  to: string,
  body: string | Uint8Array = 'hi',
  extra: readonly Header[] = [],
): Promise<ResponseFrame> {
  return c.command(
    'send',
    [['Sender', from], ['Inbox', to], ...extra],
    typeof body === 'string' ? Buffer.from(body) : body,
  );
}
