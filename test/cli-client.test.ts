/** The CLI's hub client commands (send, listen, presence) in process, against a real gateway. */
import { afterEach, describe, expect, it } from 'vitest';
import { main, type CliIo } from '../src/cli.js';
import { showMessage } from '../src/cli/listen.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

/** Runs the CLI; `stopAfter` aborts long-running commands once it resolves. */
function run(argv: string[], env: Record<string, string>, signal?: AbortSignal) {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: (s) => (out += s),
    stderr: (s) => (err += s),
    readStdin: () => Buffer.from('from stdin'),
    env,
    ...(signal ? { signal } : {}),
  };
  const done = main(argv, io);
  return { done, out: () => out, err: () => err };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

const hubEnv = (g: TestGateway) => ({
  CPIM_IMTP: `127.0.0.1:${g.imtp.port}`,
  CPIM_PITP: `127.0.0.1:${g.pitp.port}`,
});

describe('cpim-gateway send / listen', () => {
  it('listen prints a message sent with send; Ctrl-C ends it with 0', async () => {
    gw = await startTestGateway();
    const env = hubEnv(gw);
    const stop = new AbortController();
    const listen = run(['listen', 'im:bob@gw.test', '--user', 'bob', '--password', 'bob'], env, stop.signal);
    await until(() => listen.out().includes('listening on im:bob@gw.test'));
    const send = run(['send', '--from', 'im:alice@gw.test', '--to', 'bob@gw.test', 'Grüße,', 'Bob'], {
      ...env,
      CPIM_USER: 'alice',
      CPIM_PASSWORD: 'alice',
    });
    expect(await send.done).toBe(0);
    expect(send.out()).toBe('ok: delivered to im:bob@gw.test\n');
    await until(() => listen.out().includes('Grüße, Bob'));
    expect(listen.out()).toContain('From: im:alice@gw.test\n');
    expect(listen.out()).toContain('Type: text/plain; charset=UTF-8\n');
    stop.abort();
    expect(await listen.done).toBe(0);
  });

  it('says a message was kept for a recipient who is away (Stored: offline), and listen then prints it', async () => {
    gw = await startTestGateway();
    const env = hubEnv(gw);
    const send = run(['send', '--to', 'im:bob@gw.test', 'while', 'away'], {
      ...env,
      CPIM_USER: 'alice',
      CPIM_PASSWORD: 'alice',
    });
    expect(await send.done).toBe(0);
    expect(send.out()).toBe('ok: kept, to be delivered when the recipient is back for im:bob@gw.test\n');
    const stop = new AbortController();
    const listen = run(['listen', 'im:bob@gw.test', '--user', 'bob', '--password', 'bob'], env, stop.signal);
    await until(() => listen.out().includes('while away'));
    stop.abort();
    expect(await listen.done).toBe(0);
  });

  it('reports no-listeners, refused connections and usage errors with exit codes 1 and 2', async () => {
    // Without a store nothing is kept for bob (issue 15), so the send is no-listeners.
    gw = await startTestGateway({ config: { storage: { backend: 'none' } } });
    const env = { ...hubEnv(gw), CPIM_USER: 'alice', CPIM_PASSWORD: 'alice' };
    const none = run(['send', '--to', 'im:bob@gw.test', 'hi'], env);
    expect(await none.done).toBe(1);
    expect(none.err()).toBe('cpim-gateway: no-listeners: nobody is listening on im:bob@gw.test\n');
    const spoof = run(['send', '--from', 'im:bob@gw.test', '--to', 'im:bob@gw.test', 'hi'], env);
    expect(await spoof.done).toBe(1);
    expect(spoof.err()).toMatch(/^cpim-gateway: source-authorization: /);
    const refused = run(['send', '--to', 'im:bob@gw.test', 'hi', '--imtp', '127.0.0.1:1'], env);
    expect(await refused.done).toBe(1);
    expect(refused.err()).toMatch(/IMTP 127\.0\.0\.1:1: connection refused/);
    expect(await run(['send', 'hi'], env).done).toBe(2);
    expect(await run(['send', '--to', 'im:bob@gw.test', '--user', 'x', 'hi'], {}).done).toBe(2);
    expect(await run(['listen'], env).done).toBe(2);
    expect(await run(['presence', 'set', 'pres:alice@gw.test', 'busy'], env).done).toBe(2);
  });

  it('listen shows a payload that is not message/cpim as it is', () => {
    const shown = showMessage(
      {
        kind: 'command',
        id: '1',
        method: 'send',
        headers: [['Sender', 'im:x@y.test']],
        payload: Buffer.from('plain'),
      },
      new Date('2020-01-01T00:00:00Z'),
    );
    expect(shown).toEqual({
      from: 'im:x@y.test',
      time: '2020-01-01T00:00:00.000Z',
      contentType: 'text/plain; charset=UTF-8',
      text: 'plain',
    });
    const binary = showMessage({
      kind: 'command',
      id: '1',
      method: 'send',
      headers: [['Content-Type', 'application/octet-stream']],
      payload: Buffer.from([0, 1, 2]),
    });
    expect(binary.text).toBe('[3 octets of application/octet-stream]');
  });
});

describe('cpim-gateway presence', () => {
  it('set creates mapping 1 and then changes it; get and watch print the PIDF; watch unsubscribes on exit', async () => {
    gw = await startTestGateway();
    const env = hubEnv(gw);
    const alice = ['--user', 'alice', '--password', 'alice'];
    const bob = ['--user', 'bob', '--password', 'bob'];
    const set1 = run(
      ['presence', 'set', 'pres:alice@gw.test', 'open', '--note', 'at my desk', ...alice],
      env,
    );
    expect(await set1.done).toBe(0);
    expect(set1.out()).toBe('ok: pres:alice@gw.test is open ("at my desk"); seen by presence:*\n');

    const get = run(['presence', 'get', 'pres:alice@gw.test', ...bob], env);
    expect(await get.done).toBe(0);
    expect(get.out()).toMatch(
      /^pres:alice@gw\.test\n {2}im: open — "at my desk"\n {4}contact im:alice@gw\.test\n/,
    );

    const stop = new AbortController();
    const watch = run(
      ['presence', 'watch', 'alice@gw.test', '--as', 'pres:bob@gw.test', ...bob],
      env,
      stop.signal,
    );
    await until(() => watch.out().includes('watching pres:alice@gw.test as pres:bob@gw.test'));
    const set2 = run(['presence', 'set', 'pres:alice@gw.test', 'closed', ...alice], env);
    expect(await set2.done).toBe(0);
    await until(() => watch.out().includes('changed:'));
    expect(watch.out()).toMatch(/changed:\npres:alice@gw\.test\n {2}im: closed\n/);
    stop.abort();
    expect(await watch.done).toBe(0);
    await gw.gateway.router.settle();
    // Unsubscribed: a further change notifies nobody.
    const wi = await (
      await gw.client('alice', 'pitp')
    ).command('start-wi', [['Presentity', 'presence:alice@gw.test']]);
    expect(wi.headers.filter(([n]) => n === 'Subscription')).toEqual([]);

    const denied = run(['presence', 'get', 'pres:alice@gw.test', '--as', 'pres:carol@gw.test', ...bob], env);
    expect(await denied.done).toBe(1);
    expect(denied.err()).toMatch(/source-authorization/);
  });
});
