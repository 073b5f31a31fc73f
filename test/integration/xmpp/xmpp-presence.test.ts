/**
 * Presence both ways through the XMPP adapter against a real Prosody (RFC 3922 §5-6,
 * docs/adapters/xmpp-mapping.md "Presence", RFC 3922 §6): an XMPP user's presence becomes the PIDF a hub
 * watcher fetches, and an XMPP user's subscription to a puppet JID brings the hub user's presence as XMPP
 * presence.
 */
import { describe, expect, it } from 'vitest';
import { h } from '../../support/hub-calls.js';
import { sleep } from '../../support/net.js';
import { PIDF, pidf } from '../../support/presence-documents.js';
import { fetchAs, publish } from '../../support/presence.js';
import { prosodyInstalled } from '../../support/prosody.js';
import { received, useProsody, xml } from '../../support/xmpp.js';
import { waitFor } from '../../support/net.js';
import type { Element } from '@xmpp/component';
import type { CommandFrame } from '../../../src/hub/frame/index.js';

const PUPPET_CAROL = 'carol\\40gw.test@xmpp-gw.localhost';

/** Calls `probe` until `ok` accepts its value (bounded: 5 s); throws with the last value. */
async function until(probe: () => Promise<string>, ok: (v: string) => boolean): Promise<string> {
  let v = '';
  for (const end = Date.now() + 5000; Date.now() < end; await sleep(20))
    if (ok((v = await probe()))) return v;
  throw new Error(`never accepted: ${v}`);
}

describe.skipIf(!prosodyInstalled() && process.env['CI'] !== 'true')(
  'XMPP adapter presence (real Prosody)',
  () => {
    const xmpp = useProsody();

    it("an XMPP user's presence (show, status) is published as PIDF; unavailable publishes closed", async () => {
      const gw = await xmpp.gateway();
      const carol = await gw.client('carol', 'pitp');
      const juliet = await xmpp.user('juliet');
      await juliet.client.send(
        xml('presence', { to: PUPPET_CAROL }, xml('show', {}, 'dnd'), xml('status', {}, 'in a meeting')),
      );
      const doc = async () => {
        const a = await carol.command('fetch', [
          ['Watcher', 'pres:carol@gw.test'],
          ['Presentity', 'pres:juliet@localhost'],
        ]);
        return a.status === 'ok' ? Buffer.from(a.payload ?? []).toString() : '';
      };
      const text = await until(doc, (t) => t.includes('in a meeting'));
      expect(text).toContain('entity="pres:juliet@localhost"');
      expect(text).toMatch(/<basic>open<\/basic>/);
      const first = await fetchAs(carol, 'pres:carol@gw.test', 'pres:juliet@localhost');
      expect(h(first.headers, 'Content-Type')).toContain('pidf');
      await juliet.client.send(xml('presence', { to: PUPPET_CAROL, type: 'unavailable' }));
      let closed = '';
      for (let i = 0; i < 100 && !/<basic>closed<\/basic>/.test(closed); i++) {
        closed = await doc();
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(closed).toMatch(/<basic>closed<\/basic>/);
    });

    it("an XMPP user subscribing to a puppet gets subscribed, the hub user's presence, then its changes", async () => {
      const gw = await xmpp.gateway();
      const carol = await gw.client('carol', 'pitp');
      await publish(carol, 'pres:carol@gw.test', pidf('pres:carol@gw.test', 'open'), PIDF, true);
      const juliet = await xmpp.user('juliet');
      await juliet.client.send(xml('presence', { to: PUPPET_CAROL, type: 'subscribe' }));
      await received(
        juliet,
        (s) => s.is('presence') && s.attrs.type === 'subscribed' && s.attrs.from === PUPPET_CAROL,
      );
      const avail = await received(
        juliet,
        (s) =>
          s.is('presence') && s.attrs.type === undefined && (s.attrs.from ?? '').startsWith(PUPPET_CAROL),
      );
      expect(avail.attrs.to).toContain('juliet@localhost');
      await publish(carol, 'pres:carol@gw.test', pidf('pres:carol@gw.test', 'closed'), PIDF, false);
      await received(
        juliet,
        (s) =>
          s.is('presence') && s.attrs.type === 'unavailable' && (s.attrs.from ?? '').startsWith(PUPPET_CAROL),
      );
    });

    it("a hub watcher's subscribe asks the XMPP user (RFC 3922 §6.2): approved → ok and changes; refused → target-authorization", async () => {
      const gw = await xmpp.gateway({ xmpp: { presence: { askWaitMs: 4000 } } });
      const notes: CommandFrame[] = [];
      const bob = await gw.client('bob', 'pitp', (c) => {
        notes.push(c);
        return { status: 'ok', headers: [] };
      });
      const romeo = await xmpp.user('romeo');
      const PUPPET_BOB = 'bob\\40gw.test@xmpp-gw.localhost';
      // Romeo approves the request his client shows (RFC 6121 §3.1.3-3.1.5).
      romeo.client.on('stanza', (s: Element) => {
        if (s.is('presence') && s.attrs.type === 'subscribe' && s.attrs.from === PUPPET_BOB)
          void romeo.client.send(xml('presence', { to: PUPPET_BOB, type: 'subscribed' }));
      });
      const granted = await bob.command('subscribe', [
        ['Subscription', '/pres:bob@gw.test'],
        ['Presentity', 'pres:romeo@localhost'],
      ]);
      expect(granted.status).toBe('ok');
      // Romeo's server sends his presence to the new contact; bob hears it open.
      await waitFor(
        () => notes.some((n) => /<basic>open<\/basic>/.test(Buffer.from(n.payload ?? []).toString())),
        5000,
        "romeo's presence as a change-notify",
      );
      await romeo.client.send(xml('presence', {}, xml('show', {}, 'away'), xml('status', {}, 'lunch')));
      await waitFor(
        () =>
          notes.some((n) =>
            Buffer.from(n.payload ?? [])
              .toString()
              .includes('lunch'),
          ),
        5000,
        'the change',
      );
      // Carol never asked and was never approved: romeo's presence is not hers to see (with
      // the former "*" class she saw it).
      const carol = await gw.client('carol', 'pitp');
      const denied = await carol.command('fetch', [
        ['Watcher', 'pres:carol@gw.test'],
        ['Presentity', 'pres:romeo@localhost'],
      ]);
      expect(h(denied.headers, 'Error-Type')).toBe('target-authorization');
      // Nurse refuses carol's request.
      const nurse = await xmpp.user('nurse');
      nurse.client.on('stanza', (s: Element) => {
        if (s.is('presence') && s.attrs.type === 'subscribe')
          void nurse.client.send(xml('presence', { to: s.attrs.from, type: 'unsubscribed' }));
      });
      const refused = await carol.command('subscribe', [
        ['Subscription', '/pres:carol@gw.test'],
        ['Presentity', 'pres:nurse@localhost'],
      ]);
      expect(h(refused.headers, 'Error-Type')).toBe('target-authorization');
      expect(h(refused.headers, 'Error-Description')).toMatch(/refused/);
    });
  },
);
