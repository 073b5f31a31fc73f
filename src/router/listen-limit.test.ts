import { describe, expect, it } from 'vitest';
import { captureLog } from '../../test/support/hub-tcp.js';
import { client } from '../../test/support/router-fakes.js';
import { headerOf, op } from '../../test/support/router-ops.js';
import { Router } from './index.js';

const D = 'gw.example';
const listen = (inbox: string, only?: string) =>
  op(
    'imtp',
    'listen',
    only === undefined
      ? [['Inbox', inbox]]
      : [
          ['Inbox', inbox],
          ['Only', only],
        ],
  );
const send = (to: string) =>
  op(
    'imtp',
    'send',
    [
      ['Sender', `im:x@${D}`],
      ['Inbox', to],
    ],
    new TextEncoder().encode('hi'),
  );

describe('listens per connection are bounded (issue 12, hub.limits.maxListensPerConnection)', () => {
  it('past the bound a listen is answered quota with an Error-Description and logged at warn', async () => {
    const captured = captureLog();
    const router = new Router({ domains: [D], limits: { maxListensPerConnection: 3 }, log: captured.log });
    // An identity pattern covers any number of inboxes.
    const many = client([`im:*@${D}`]);
    for (let i = 0; i < 3; i++)
      expect((await router.handle(listen(`im:u${i}@${D}`), many)).status).toBe('ok');
    const over = await router.handle(listen(`im:u3@${D}`), many);
    expect(over.status).toBe('error');
    expect(headerOf(over, 'Error-Type')).toBe('quota');
    expect(headerOf(over, 'Error-Description')).toBe('at most 3 listens per connection');
    expect(captured.find('over a limit, answered quota', { inbox: `im:u3@${D}` })).toBeDefined();
    // The refused inbox has no listener; the others do.
    const sender = client([`im:x@${D}`]);
    expect(headerOf(await router.handle(send(`im:u3@${D}`), sender), 'Error-Type')).toBe('no-listeners');
    expect((await router.handle(send(`im:u2@${D}`), sender)).status).toBe('ok');
    // Listening again on an inbox it has only replaces the filters: not a new listen.
    expect((await router.handle(listen(`im:u0@${D}`, `im:y@${D}`), many)).status).toBe('ok');
    expect(headerOf(await router.handle(send(`im:u0@${D}`), sender), 'Error-Type')).toBe('no-listeners');
    // The bound is per connection: another one may listen; a closed one frees its listens.
    const other = client([`im:*@${D}`]);
    expect((await router.handle(listen(`im:u3@${D}`), other)).status).toBe('ok');
    router.connectionClosed(many.connectionId);
    const again = client([`im:*@${D}`], undefined, { connectionId: many.connectionId });
    for (let i = 4; i < 7; i++)
      expect((await router.handle(listen(`im:u${i}@${D}`), again)).status).toBe('ok');
    expect(headerOf(await router.handle(listen(`im:u7@${D}`), again), 'Error-Type')).toBe('quota');
  });

  it('the default is 1024 listens', async () => {
    const router = new Router({ domains: [D] });
    const many = client([`im:*@${D}`]);
    for (let i = 0; i < 1024; i++)
      expect((await router.handle(listen(`im:u${i}@${D}`), many)).status).toBe('ok');
    expect(headerOf(await router.handle(listen(`im:u1024@${D}`), many), 'Error-Type')).toBe('quota');
  });
});
