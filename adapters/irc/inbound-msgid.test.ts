import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { storageSchema } from '../../src/config/storage-schema.js';
import { MessageIds } from '../../src/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { lineHeaders } from './inbound.js';

const log = pino({ level: 'silent' });
let store: Store | null = null;
afterEach(async () => {
  await store?.close();
  store = null;
});

describe("an IRC line's Message-ID (issue 15)", () => {
  it('maps the IRCv3 msgid tag to one gateway Message-ID, the same when the line comes again', async () => {
    store = await openStore(storageSchema.parse({ backend: 'sqlite', path: ':memory:' }), { log });
    const ids = new MessageIds(store!, 'irc-test', { maxPairs: 100 });
    const orig = [['Orig-Sender', 'im:dave@irc.test']] as const;
    const line = { nick: 'dave', target: '#dev', message: 'hi', tags: { msgid: 'Yb3xK9' } };
    const first = lineHeaders(orig, line, ids)!;
    expect(first[0]).toEqual(['Orig-Sender', 'im:dave@irc.test']);
    expect(first[1]![0]).toBe('Message-ID');
    expect(lineHeaders(orig, line, ids)).toEqual(first);
    expect(ids.networkId(first[1]![1])).toBe('Yb3xK9');
    // After a restart: the table is read again and the id is the same.
    await store!.getMapping('x', 'y');
    const again = new MessageIds(store!, 'irc-test', { maxPairs: 100 });
    await again.load();
    expect(lineHeaders(undefined, line, again)).toEqual([first[1]]);
  });

  it('adds nothing for a line without the tag (ngircd sends none)', () => {
    const ids = new MessageIds(null, 'irc-test', { maxPairs: 100 });
    expect(lineHeaders(undefined, { nick: 'dave', target: 'gwbot', message: 'hi' }, ids)).toBeUndefined();
    // Issue 17: with reply prefixes on (relation hooks), the adapter names the line itself.
    const named = lineHeaders(undefined, { nick: 'dave', target: '#dev', message: 'hi' }, ids, true)!;
    expect(named[0]![0]).toBe('Message-ID');
    expect(named[0]![1]).not.toBe(
      lineHeaders(undefined, { nick: 'dave', target: '#dev', message: 'hi' }, ids, true)![0]![1],
    );
  });
});
