/**
 * A home inbox that no account may listen for does not exist (draft §8.1: listening needs an
 * identity covering the inbox): a send to it is `target-not-found`, a known inbox with nobody
 * listening stays `no-listeners` (row 54), and `inboxExists` says so without delivering.
 */
import { describe, expect, it } from 'vitest';
import { parseImUri } from '../model/index.js';
import { peer } from '../../test/support/router-fakes.js';
import { headerOf, send } from '../../test/support/router-ops.js';
import { listenableBy } from '../hub-router.js';
import { Router } from './index.js';

const accounts = [
  { user: 'bob', password: 'pw', identities: ['im:bob@a.example'] },
  { user: 'ops', password: 'pw', identities: ['pres:carol@a.example'] },
  { user: 'b', peerDomain: 'b.example' },
];

function router(withDirectory: boolean): Router {
  return new Router({
    domains: ['a.example'],
    rooms: [{ name: 'lobby', address: parseImUri('im:lobby@a.example'), members: [] }],
    ...(withDirectory ? { listenable: listenableBy(accounts) } : {}),
  });
}

const errorType = async (r: Router, inbox: string) =>
  headerOf(await r.handle(send('im:x@b.example', inbox), peer('b.example')), 'Error-Type');

describe('the directory of listenable inboxes', () => {
  it('answers target-not-found for an inbox no account covers, no-listeners for a known one', async () => {
    const r = router(true);
    expect(await errorType(r, 'im:nobody@a.example')).toBe('target-not-found');
    expect(await errorType(r, 'im:bob@a.example')).toBe('no-listeners');
    // A pres: identity covers the im: inbox of the same principal (Hudson §4).
    expect(await errorType(r, 'im:carol@a.example')).toBe('no-listeners');
    // Without a directory every inbox may have a listener.
    expect(await errorType(router(false), 'im:nobody@a.example')).toBe('no-listeners');
  });

  it('inboxExists delivers nothing and is false only for an unknown home inbox', () => {
    const r = router(true);
    const exists = (uri: string) => r.inboxExists(parseImUri(uri));
    expect(exists('im:nobody@a.example')).toBe(false);
    expect(exists('im:bob@a.example')).toBe(true);
    expect(exists('im:lobby@a.example')).toBe(true);
    // Other domains answer for their own users at send time.
    expect(exists('im:nobody@b.example')).toBe(true);
    expect(router(false).inboxExists(parseImUri('im:nobody@a.example'))).toBe(true);
  });
});
