/** One gateway, real hub listeners: clients send, listen and watch presence through the router. */
import { describe, expect, it } from 'vitest';
import type { CommandFrame } from '../../src/hub/frame/index.js';
import { buildPidf } from '../../src/codec/pidf/index.js';
import { useTestGateways } from '../support/gateway.js';
import { h, sendText } from '../support/hub-calls.js';

describe('gateway hub listeners', () => {
  const startGateway = useTestGateways();

  it('a client sends to a listening client and gets its answer', async () => {
    const gw = await startGateway();
    const received: CommandFrame[] = [];
    const bob = await gw.client('bob', 'imtp', (c) => {
      received.push(c);
      return { status: 'ok', headers: [] };
    });
    const listen = await bob.command('listen', [['Inbox', 'im:bob@gw.test']]);
    expect(listen.status).toBe('ok');
    const alice = await gw.client('alice');
    const body = Buffer.from('hello \0 bob\r\n\r\n', 'latin1');
    const r = await alice.command(
      'send',
      [
        ['Sender', 'im:alice@gw.test'],
        ['Inbox', 'im:bob@gw.test'],
        ['X-Unknown', 'kept'],
      ],
      body,
    );
    expect(r.status).toBe('ok');
    expect(received).toHaveLength(1);
    const got = received[0]!;
    expect(got.method).toBe('send');
    expect(Buffer.from(got.payload!).equals(body)).toBe(true);
    expect(h(got.headers, 'X-Unknown')).toBe('kept');
    expect(h(got.headers, 'Visited')).toBe('gw.test');
  });

  it('answers no-listeners, and source-authorization for a sender the account may not use', async () => {
    // Without a store nothing is kept (with one, bob's message waits for him: offline-delivery.test.ts).
    const gw = await startGateway({ config: { storage: { backend: 'none' } } });
    const alice = await gw.client('alice');
    const none = await sendText(alice, 'im:alice@gw.test', 'im:bob@gw.test', 'x');
    expect(none.status).toBe('error');
    expect(h(none.headers, 'Error-Type')).toBe('no-listeners');
    const spoof = await sendText(alice, 'im:bob@gw.test', 'im:bob@gw.test', 'x');
    expect(h(spoof.headers, 'Error-Type')).toBe('source-authorization');
  });

  it('a presence change reaches a watcher as change-notify, and a dropped connection ends its listens', async () => {
    const gw = await startGateway();
    const notes: CommandFrame[] = [];
    const alice = await gw.client('alice', 'pitp');
    const pidf = (basic: 'open' | 'closed') =>
      Buffer.from(buildPidf({ entity: 'pres:alice@gw.test', tuples: [{ id: 't1', basic }] }));
    const ins = await alice.command(
      'insert-mapping',
      [
        ['Presentity', 'presence:alice@gw.test'],
        ['Mapping', '1'],
        ['Wpattern', 'presence:*@gw.test'],
        ['Content-Type', 'application/pidf+xml'],
      ],
      pidf('open'),
    );
    expect(ins.status).toBe('ok');
    const bob = await gw.client('bob', 'pitp', (c) => {
      notes.push(c);
      return { status: 'ok', headers: [] };
    });
    const sub = await bob.command('subscribe', [
      ['Subscription', '/presence:bob@gw.test'],
      ['Presentity', 'presence:alice@gw.test'],
    ]);
    expect(sub.status).toBe('ok');
    expect(Buffer.from(sub.payload!).equals(pidf('open'))).toBe(true);
    const ch = await alice.command(
      'change',
      [
        ['Presentity', 'presence:alice@gw.test'],
        ['Mapping', '1'],
        ['Content-Type', 'application/pidf+xml'],
      ],
      pidf('closed'),
    );
    expect(ch.status).toBe('ok');
    await gw.gateway.router.settle();
    expect(notes.map((n) => n.method)).toEqual(['change-notify']);
    expect(Buffer.from(notes[0]!.payload!).equals(pidf('closed'))).toBe(true);
    expect(h(notes[0]!.headers, 'Subscription')).toBe('/presence:bob@gw.test');
  });
});
