import { beforeEach, describe, expect, it } from 'vitest';
import { client, peer } from '../../test/support/router-fakes.js';
import { dec, headerOf, headersOf } from '../../test/support/router-ops.js';
import { A, ALICE, BOB, CAROL, PIDF } from '../../test/support/router-pitp-names.js';
import {
  change,
  fetch,
  insert,
  reset,
  router,
  run,
  subscribe,
  watcher,
} from '../../test/support/router-pitp.js';
import type { Header } from '../protocol/index.js';

beforeEach(reset);

describe('PITP presence store (docs/hub-protocol.md part 3 rows 34-40)', () => {
  it('row 34: the first matching mapping wins; no PI or no match is a denial', async () => {
    await insert(1, [BOB], 'bob-view');
    await insert(2, [`presence:*@${A}`], 'domain-view');
    await insert(3, ['*']);
    const bob = watcher('bob');
    const carol = watcher('carol');
    expect(dec((await fetch(BOB, bob.origin)).payload)).toBe('bob-view');
    expect(dec((await fetch(CAROL, carol.origin)).payload)).toBe('domain-view');
    const stranger = await fetch('presence:x@b.example', peer('b.example'));
    expect(headerOf(stranger, 'Error-Type')).toBe('target-authorization');
    await run('delete-mapping', [
      ['Presentity', ALICE],
      ['Mapping', '3'],
    ]);
    expect(headerOf(await fetch('presence:x@b.example', peer('b.example')), 'Error-Type')).toBe(
      'target-authorization',
    );
    const nobody = await fetch(`presence:bob@${A}`, bob.origin);
    expect(nobody.status).toBe('ok');
    expect(headerOf(await fetch('presence:nobody@b.example', peer('b.example')), 'Error-Type')).toBe(
      'target-authorization',
    );
    const unknown = await run(
      'fetch',
      [
        ['Watcher', BOB],
        ['Presentity', `presence:ghost@${A}`],
      ],
      bob.origin,
    );
    expect(headerOf(unknown, 'Error-Type')).toBe('target-not-found');
  });

  it('row 35: shadowed mappings are accepted', async () => {
    await insert(1, [`presence:*@${A}`], 'everyone');
    await insert(2, [BOB], 'only-bob');
    expect(dec((await fetch(BOB, watcher('bob').origin)).payload)).toBe('everyone');
  });

  it('row 36: an index beyond the count (count+1 for insert) is mapping-range', async () => {
    await insert(1, [BOB], 'x');
    await insert(2, [CAROL], 'y');
    for (const method of ['change', 'delete-mapping', 'fetch-for-update', 'get-class', 'set-class']) {
      const a = await run(method, [
        ['Presentity', ALICE],
        ['Mapping', '3'],
      ]);
      expect(headerOf(a, 'Error-Type'), method).toBe('mapping-range');
    }
    const far = await run('insert-mapping', [
      ['Presentity', ALICE],
      ['Mapping', '4'],
    ]);
    expect(headerOf(far, 'Error-Type')).toBe('mapping-range');
    await insert(3, ['*']);
    const zero = await run('get-class', [
      ['Presentity', ALICE],
      ['Mapping', '0'],
    ]);
    expect(headerOf(zero, 'Error-Type')).toBe('malformed');
  });

  it('row 37: change without payload clears the PI', async () => {
    await insert(1, [BOB], 'x');
    const bob = watcher('bob');
    expect((await fetch(BOB, bob.origin)).status).toBe('ok');
    expect((await change(1)).status).toBe('ok');
    expect(headerOf(await fetch(BOB, bob.origin), 'Error-Type')).toBe('target-authorization');
    const ffu = await run('fetch-for-update', [
      ['Presentity', ALICE],
      ['Mapping', '1'],
    ]);
    expect(ffu).toEqual({ status: 'ok', headers: [] });
  });

  it('row 38: change, insert, delete notify affected watchers; set-class sends change-notify', async () => {
    await insert(1, [BOB], 'bob-1');
    await insert(2, [CAROL], 'carol-1');
    const bob = watcher('bob');
    const carol = watcher('carol');
    await subscribe(bob, BOB);
    await subscribe(carol, CAROL);
    await change(1, 'bob-2');
    await router.settle();
    expect(bob.ep.methods()).toEqual(['change-notify']);
    expect(dec(bob.ep.last()!.payload)).toBe('bob-2');
    expect(carol.ep.received).toHaveLength(0);
    // insert in front of carol's mapping: carol now sees the new one.
    await insert(2, [CAROL], 'carol-2');
    await router.settle();
    expect(carol.ep.methods()).toEqual(['change-notify']);
    expect(dec(carol.ep.last()!.payload)).toBe('carol-2');
    // set-class: mapping 1 now also covers carol ⇒ change-notify with bob's PI.
    await run('set-class', [
      ['Presentity', ALICE],
      ['Mapping', '1'],
      ['Wpattern', BOB],
      ['Wpattern', CAROL],
    ]);
    await router.settle();
    expect(dec(carol.ep.last('change-notify')!.payload)).toBe('bob-2');
    expect(bob.ep.received).toHaveLength(1);
    // delete mapping 1: bob has no mapping left ⇒ terminate-notify; carol falls to mapping 1 (carol-2).
    await run('delete-mapping', [
      ['Presentity', ALICE],
      ['Mapping', '1'],
    ]);
    await router.settle();
    expect(bob.ep.methods()).toEqual(['change-notify', 'terminate-notify']);
    expect(dec(carol.ep.last()!.payload)).toBe('carol-2');
  });

  it('row 39: delete-mapping renumbers down, insert-mapping up', async () => {
    await insert(1, [BOB]);
    await insert(2, [CAROL]);
    await insert(1, ['presence:*@b.example']);
    const classes = async () => {
      const out: string[] = [];
      for (let i = 1; ; i++) {
        const a = await run('get-class', [
          ['Presentity', ALICE],
          ['Mapping', String(i)],
        ]);
        if (a.status !== 'ok') return out;
        out.push(headersOf(a, 'Wpattern').join(','));
      }
    };
    expect(await classes()).toEqual(['presence:*@b.example', BOB, CAROL]);
    await run('delete-mapping', [
      ['Presentity', ALICE],
      ['Mapping', '2'],
    ]);
    expect(await classes()).toEqual(['presence:*@b.example', CAROL]);
  });

  it('row 40: fetch-for-update, a competing change, then the own change ⇒ update-race', async () => {
    await insert(1, [BOB], 'v1');
    const other = client([`im:alice@${A}`]);
    const ffu = await run('fetch-for-update', [
      ['Presentity', ALICE],
      ['Mapping', '1'],
    ]);
    expect(dec(ffu.payload)).toBe('v1');
    expect(headerOf(ffu, 'Content-Type')).toBe(PIDF);
    expect((await change(1, 'v2', other)).status).toBe('ok');
    expect(headerOf(await change(1, 'v3'), 'Error-Type')).toBe('update-race');
    // Without a competing change the own change goes through.
    await run('fetch-for-update', [
      ['Presentity', ALICE],
      ['Mapping', '1'],
    ]);
    expect((await change(1, 'v4')).status).toBe('ok');
  });

  it('store management needs the owner, authenticated (part 4 row 28, §12 source)', async () => {
    const h: Header[] = [
      ['Presentity', ALICE],
      ['Mapping', '1'],
    ];
    expect(headerOf(await run('insert-mapping', h, client(undefined)), 'Error-Type')).toBe(
      'source-authorization',
    );
    expect(headerOf(await run('insert-mapping', h, watcher('bob').origin), 'Error-Type')).toBe(
      'source-authorization',
    );
    expect(headerOf(await run('insert-mapping', h, peer('b.example')), 'Error-Type')).toBe(
      'source-authorization',
    );
    const foreign = await run('insert-mapping', [
      ['Presentity', 'presence:alice@b.example'],
      ['Mapping', '1'],
    ]);
    expect(headerOf(foreign, 'Error-Type')).toBe('source-authorization');
  });
});
