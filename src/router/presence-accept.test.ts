// Which form of a PI each watcher kind gets from the router (issue 12, docs/hub-protocol.md part 5.4):
// clients as published or as their `Accept` header asks, adapters PIDF, peers as published.
import { beforeEach, describe, expect, it } from 'vitest';
import { FakeEndpoint, client, peer } from '../../test/support/router-fakes.js';
import { dec, enc, headerOf } from '../../test/support/router-ops.js';
import { ALICE, PIDF } from '../../test/support/router-pitp-names.js';
import { reset, router, run } from '../../test/support/router-pitp.js';
import type { Header } from '../protocol/index.js';
import type { Origin } from './index.js';

const TEXT = 'application/presence';
const hudson = (status: string) => `contact = "im:alice@a.example" { status = "${status}" }\r\n`;

async function publish(status: string, first: boolean): Promise<void> {
  const headers: Header[] = [
    ['Presentity', ALICE],
    ['Mapping', '1'],
    ['Content-Type', TEXT],
  ];
  if (first) headers.push(['Wpattern', '*']);
  const a = await run(first ? 'insert-mapping' : 'change', headers, undefined, hudson(status));
  expect(a.status).toBe('ok');
}

function fetchAs(origin: Origin, watcher: string, accept?: string) {
  const headers: Header[] = [
    ['Watcher', watcher],
    ['Presentity', ALICE],
  ];
  if (accept !== undefined) headers.push(['Accept', accept]);
  return run('fetch', headers, origin);
}

beforeEach(async () => {
  reset();
  await publish('open', true);
});

describe('presence as each watcher kind accepts it', () => {
  it('a client gets it as published, or as its Accept header asks when the published type is not listed', async () => {
    const bob = client(['im:bob@a.example']);
    const plain = await fetchAs(bob, 'presence:bob@a.example');
    expect([headerOf(plain, 'Content-Type'), dec(plain.payload)]).toEqual([TEXT, hudson('open')]);
    const listed = await fetchAs(bob, 'presence:bob@a.example', `text/x-other, ${TEXT}; q=1`);
    expect(dec(listed.payload)).toBe(hudson('open'));
    const asked = await fetchAs(bob, 'presence:bob@a.example', PIDF);
    expect(headerOf(asked, 'Content-Type')).toBe(PIDF);
    expect(dec(asked.payload)).toMatch(/entity="pres:alice@a\.example"[\s\S]*<basic>open<\/basic>/);
  });

  it('a subscription keeps the Accept of its subscribe for every change-notify', async () => {
    const ep = new FakeEndpoint('bob');
    const bob = client(['im:bob@a.example'], ep);
    const sub = await run(
      'subscribe',
      [
        ['Subscription', '/presence:bob@a.example'],
        ['Presentity', ALICE],
        ['Accept', PIDF],
      ],
      bob,
    );
    expect(headerOf(sub, 'Content-Type')).toBe(PIDF);
    await publish('closed', false);
    await router.settle();
    const note = ep.last('change-notify')!;
    expect(headerOf(note, 'Content-Type')).toBe(PIDF);
    expect(dec(note.payload)).toContain('<basic>closed</basic>');
  });

  it('an adapter gets PIDF, the core presence model, unless its origin states other types', async () => {
    const web = new FakeEndpoint('web');
    router.registerDomain('web.example', web, { presence: 'publish' });
    const origin: Origin = { kind: 'adapter', connectionId: 'web', strength: 'strong', endpoint: web };
    const got = await fetchAs(origin, 'pres:u@web.example');
    expect(headerOf(got, 'Content-Type')).toBe(PIDF);
    expect(dec(got.payload)).toContain('<basic>open</basic>');
    const own = await fetchAs({ ...origin, accept: [TEXT] }, 'pres:u@web.example');
    expect(dec(own.payload)).toBe(hudson('open'));
  });

  it('a peer gets it as published, whatever a relayed Accept says', async () => {
    const got = await fetchAs(peer('b.example'), 'presence:x@b.example', PIDF);
    expect([headerOf(got, 'Content-Type'), dec(got.payload)]).toEqual([TEXT, hudson('open')]);
  });

  it('a PI that is not valid in its format goes out unchanged', async () => {
    const a = await run(
      'change',
      [
        ['Presentity', ALICE],
        ['Mapping', '1'],
        ['Content-Type', TEXT],
      ],
      undefined,
      enc('contact = "im:alice@a.example" { status'),
    );
    expect(a.status).toBe('ok');
    const got = await fetchAs(client(['im:bob@a.example']), 'presence:bob@a.example', PIDF);
    expect([headerOf(got, 'Content-Type'), dec(got.payload)]).toEqual([
      TEXT,
      'contact = "im:alice@a.example" { status',
    ]);
  });
});
