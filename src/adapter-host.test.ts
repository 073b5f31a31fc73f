import { describe, expect, it } from 'vitest';
import { basicPidf, client, publishingAdapter } from '../test/support/router-fakes.js';
import { headerOf, op } from '../test/support/router-ops.js';
import { Router } from './router/index.js';

const D = 'net.example';

function setup() {
  const router = new Router({ domains: ['gw.example'] });
  return { router, port: publishingAdapter(router, D) };
}

const pidf = basicPidf;

async function fetchAs(router: Router, presentity: string) {
  return router.handle(
    op('pitp', 'fetch', [
      ['Watcher', 'pres:w@gw.example'],
      ['Presentity', presentity],
    ]),
    client(['pres:w@gw.example']),
  );
}

describe('adapter presence publishing keeps nothing for presentities that withdrew (issue 12)', () => {
  it('publishes, changes and withdraws through the router store only', async () => {
    const { router, port } = setup();
    const p = `pres:alice@${D}`;
    expect((await port.publishPresence(p, pidf(p, 'open'))).status).toBe('ok');
    expect((await port.publishPresence(p, pidf(p, 'closed'))).status).toBe('ok');
    const seen = await fetchAs(router, p);
    expect(seen.status).toBe('ok');
    expect(new TextDecoder().decode(seen.payload)).toContain('<basic>closed</basic>');
    // One catch-all mapping, not one per publish.
    const second = await port.request(
      op('pitp', 'get-class', [
        ['Presentity', p],
        ['Mapping', '2'],
      ]),
    );
    expect(headerOf(second, 'Error-Type')).toBe('mapping-range');
    expect((await port.publishPresence(p, null)).status).toBe('ok');
    expect(headerOf(await fetchAs(router, p), 'Error-Type')).toBe('target-not-found');
    // Withdrawing again (nothing there) is fine; publishing again creates the store anew.
    expect((await port.publishPresence(p, null)).status).toBe('ok');
    expect((await port.publishPresence(p, pidf(p, 'open'))).status).toBe('ok');
    expect((await fetchAs(router, p)).status).toBe('ok');
  });

  it('the router holds no store once many presentities have come and withdrawn', async () => {
    const { router, port } = setup();
    for (let i = 0; i < 2000; i++) {
      const p = `pres:u${i}@${D}`;
      expect((await port.publishPresence(p, pidf(p, 'open'))).status).toBe('ok');
      expect((await port.publishPresence(p, null)).status).toBe('ok');
    }
    expect(router.storeCount).toBe(0);
  });
});
