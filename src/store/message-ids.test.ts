import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { storageSchema } from '../config/storage-schema.js';
import { openStore } from './index.js';
import { MessageIds, messageIdNamespace } from './message-ids.js';
import type { Store } from './types.js';

const log = pino({ level: 'silent' });
let store: Store | null = null;

afterEach(async () => {
  await store?.close();
  store = null;
});

async function memoryStore(): Promise<Store> {
  store = await openStore(storageSchema.parse({ backend: 'sqlite', path: ':memory:' }), { log });
  return store!;
}

describe('MessageIds', () => {
  it('maps a network id to the gateway id both ways, and a second instance loads the pairs', async () => {
    const s = await memoryStore();
    const ids = new MessageIds(s, 'mail', { maxPairs: 10 });
    await ids.record('<m1@example.org>', 'g1');
    expect(ids.gatewayId('<m1@example.org>')).toBe('g1');
    expect(ids.networkId('g1')).toBe('<m1@example.org>');
    expect(await s.listMappings(messageIdNamespace('mail'))).toHaveLength(2);

    const again = new MessageIds(s, 'mail', { maxPairs: 10 });
    await again.load();
    expect([again.gatewayId('<m1@example.org>'), again.networkId('g1')]).toEqual(['g1', '<m1@example.org>']);
  });

  it('an alias resolves one way only: the gateway id keeps naming its first network id', async () => {
    const s = await memoryStore();
    const ids = new MessageIds(s, 'xmpp', { maxPairs: 10 });
    await ids.record('j1', 'g1');
    await ids.alias('j2', 'g1');
    expect([ids.gatewayId('j1'), ids.gatewayId('j2'), ids.networkId('g1')]).toEqual(['g1', 'g1', 'j1']);
    const again = new MessageIds(s, 'xmpp', { maxPairs: 10 });
    await again.load();
    expect(again.gatewayId('j2')).toBe('g1');
  });

  it('gives an inbound message the same gateway id when it comes again', async () => {
    const s = await memoryStore();
    const ids = new MessageIds(s, 'irc', { maxPairs: 10 });
    const first = ids.inbound('abc');
    expect(first).toMatch(/^[0-9a-z]{9}[A-Za-z0-9_-]{16}$/);
    expect(ids.inbound('abc')).toBe(first);
    expect(ids.inbound('def')).not.toBe(first);
    await s.getMapping('x', 'y'); // the batch of the writes above is committed before this read
    const reloaded = new MessageIds(s, 'irc', { maxPairs: 10 });
    await reloaded.load();
    expect(reloaded.inbound('abc')).toBe(first);
  });

  it('keeps at most `maxPairs` pairs through 500 messages', async () => {
    const s = await memoryStore();
    const ids = new MessageIds(s, 'irc', { maxPairs: 20 });
    for (let i = 0; i < 500; i++) await ids.record(`n${i}`, `g${i}`);
    expect(ids.size).toBe(20);
    expect((await s.listMappings(messageIdNamespace('irc'))).length).toBe(40);
    expect(ids.gatewayId('n499')).toBe('g499');
    expect(ids.gatewayId('n0')).toBeUndefined();
  });
});
