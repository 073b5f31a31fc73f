/**
 * XMPP ⇄ hub chat through the XMPP adapter against a real Prosody (docs/adapters/xmpp-mapping.md "Messages",
 * §3.5, §4.1, §5): an XMPP user writes to a hub user through a puppet JID and back, receipts
 * (XEP-0184) answer IMTP `ok`, unknown users get stanza errors, disco (XEP-0030) is answered.
 */
import { describe, expect, it } from 'vitest';
import type { Element } from '@xmpp/component';
import { buildCpim } from '../../../src/index.js';
import { h, listenAs, sendText } from '../../support/hub-calls.js';
import { waitFor } from '../../support/net.js';
import { prosodyInstalled } from '../../support/prosody.js';
import { answerReceipts, received, useProsody, xml } from '../../support/xmpp.js';

const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
const PUPPET_CAROL = 'carol\\40gw.test@xmpp-gw.localhost';

describe.skipIf(!prosodyInstalled() && process.env['CI'] !== 'true')(
  'XMPP adapter chat (real Prosody)',
  () => {
    const xmpp = useProsody();

    it('an XMPP user writes to a hub user through a puppet JID; the hub ok comes back as a receipt', async () => {
      const gw = await xmpp.gateway();
      const got = await listenAs(gw, 'carol');
      const juliet = await xmpp.user('juliet');
      const id = await juliet.say(PUPPET_CAROL, 'hello <carol> & co');
      const cmd = await waitFor(() => got[0], 5000, 'the send at carol');
      expect(h(cmd.headers, 'Sender')).toBe('im:juliet@localhost');
      expect(h(cmd.headers, 'Inbox')).toBe('im:carol@gw.test');
      const cpim = Buffer.from(cmd.payload ?? []).toString();
      // RFC 3922 §4.1: From/To bare im: addresses, body as text/plain; charset=utf-8.
      expect(cpim).toMatch(/^From: <im:juliet@localhost>\r\nTo: <im:carol@gw\.test>\r\nDateTime: /);
      expect(cpim).toMatch(/Content-Type: text\/plain; charset=utf-8/i);
      expect(cpim.endsWith('hello <carol> & co')).toBe(true);
      const receipt = await received(
        juliet,
        (s) => s.getChild('received', 'urn:xmpp:receipts')?.attrs.id === id,
      );
      expect(receipt.attrs.from).toBe(PUPPET_CAROL);
    });

    it('a hub user writes to im:juliet@localhost; juliet gets it from the puppet JID, her receipt answers ok', async () => {
      const gw = await xmpp.gateway();
      const carol = await gw.client('carol');
      const juliet = await xmpp.user('juliet');
      answerReceipts(juliet);
      const r = await sendText(carol, 'im:carol@gw.test', 'im:juliet@localhost', 'hi <juliet> & "you"');
      expect(r.status).toBe('ok');
      expect(h(r.headers, 'Unreliable')).toBeUndefined();
      const m = await received(juliet, (s) => s.is('message') && s.getChildText('body') !== null);
      expect(m.attrs.from).toBe(PUPPET_CAROL);
      expect(m.attrs.type).toBe('chat');
      expect(m.getChildText('body')).toBe('hi <juliet> & "you"');
    });

    it('a silent reaction to a message XMPP never got is not sent as an empty message: ok with Xmpp-Clipped (issue 17)', async () => {
      const gw = await xmpp.gateway();
      const carol = await gw.client('carol');
      const juliet = await xmpp.user('juliet');
      const reaction = buildCpim({
        startsWith: 'cpim-headers',
        from: { uri: 'im:carol@gw.test' },
        to: [{ uri: 'im:juliet@localhost' }],
        dateTime: new Date(),
        ns: [{ prefix: 'Msg', uri: 'tag:cpim-gateway.org,2026:msg' }],
        require: ['Msg.Reaction'],
        extraHeaders: [
          { name: 'Msg.ID', value: 'r1' },
          { name: 'Msg.Reaction', value: 'add m1 👍' },
        ],
        contentHeaders: [['Content-Type', 'text/plain; charset=UTF-8']],
        body: '',
      });
      const r = await carol.command(
        'send',
        [
          ['Sender', 'im:carol@gw.test'],
          ['Inbox', 'im:juliet@localhost'],
          ['Content-Type', 'message/cpim'],
        ],
        reaction,
      );
      expect(r.status).toBe('ok');
      expect(h(r.headers, 'Xmpp-Clipped')).toMatch(
        /a reaction is not passed on to XMPP \(the message reacted to is unknown here\)/,
      );
      // The next real message is the first thing juliet gets from carol's puppet.
      expect((await sendText(carol, 'im:carol@gw.test', 'im:juliet@localhost', 'after')).status).toBe('ok');
      const first = await received(juliet, (s) => s.is('message') && s.attrs.from === PUPPET_CAROL);
      expect(first.getChildText('body')).toBe('after');
    });

    it('without a receipt the send is answered ok + Unreliable after the wait', async () => {
      const gw = await xmpp.gateway({ xmpp: { receipts: { waitMs: 300 } } });
      const carol = await gw.client('carol');
      const romeo = await xmpp.user('romeo');
      const r = await sendText(carol, 'im:carol@gw.test', 'im:romeo@localhost', 'no receipt from me');
      expect(r.status).toBe('ok');
      expect(h(r.headers, 'Unreliable')).toBe('xmpp-gw.localhost');
      expect((await received(romeo, (s) => s.is('message'))).getChildText('body')).toBe('no receipt from me');
    });

    it('a reply from XMPP to the puppet reaches the hub user who wrote first', async () => {
      const gw = await xmpp.gateway();
      const got = await listenAs(gw, 'bob');
      const bob = await gw.client('bob');
      const juliet = await xmpp.user('juliet');
      const r = await sendText(bob, 'im:bob@gw.test', 'im:juliet@localhost', 'from bob');
      expect(r.status).toBe('ok');
      const m = await received(juliet, (s) => s.is('message') && s.getChildText('body') === 'from bob');
      expect(m.attrs.from).toBe('bob\\40gw.test@xmpp-gw.localhost');
      await juliet.say(m.attrs.from!, 'answer');
      const cmd = await waitFor(() => got[0], 5000, 'the reply at bob');
      expect(h(cmd.headers, 'Sender')).toBe('im:juliet@localhost');
      expect(
        Buffer.from(cmd.payload ?? [])
          .toString()
          .endsWith('answer'),
      ).toBe(true);
    });

    it('a reply from the hub carries the <thread/> the XMPP user started (RFC 6121 §5.2.5)', async () => {
      const gw = await xmpp.gateway({ xmpp: { receipts: { waitMs: 0 } } });
      const got = await listenAs(gw, 'carol');
      const carol = await gw.client('carol');
      const juliet = await xmpp.user('juliet');
      await juliet.client.send(
        xml(
          'message',
          { to: PUPPET_CAROL, type: 'chat' },
          xml('body', {}, 'threaded'),
          xml('thread', {}, 'th-42'),
        ),
      );
      await waitFor(() => got[0], 5000, 'the threaded message');
      await sendText(carol, 'im:carol@gw.test', 'im:juliet@localhost', 'in the thread');
      const m = await received(juliet, (s) => s.is('message') && s.getChildText('body') === 'in the thread');
      expect(m.getChildText('thread')).toBe('th-42');
    });

    it('an XMPP user writing to someone the hub does not know gets item-not-found, not silence', async () => {
      await xmpp.gateway();
      const juliet = await xmpp.user('juliet');
      const condition = async (to: string) => {
        const id = await juliet.say(to, 'anyone?');
        const err = await received(juliet, (s) => s.attrs.type === 'error' && s.attrs.id === id);
        expect(err.attrs.from).toBe(to);
        return err
          .getChild('error')
          ?.getChildElements()
          .find((c) => c.getNS() === NS_STANZAS && c.name !== 'text')?.name;
      };
      // An unknown inbox of a domain the gateway serves, a domain nobody serves
      // (docs/adapters/xmpp-mapping.md "Errors": target-not-found → item-not-found), a component name that is
      // no puppet (no rooms yet).
      expect(await condition('nobody\\40gw.test@xmpp-gw.localhost')).toBe('item-not-found');
      expect(await condition('nobody\\40nowhere.invalid@xmpp-gw.localhost')).toBe('item-not-found');
      expect(await condition('plainname@xmpp-gw.localhost')).toBe('item-not-found');
    });

    it('a hub send to an XMPP account that does not exist is answered with an error, mapped from the stanza error', async () => {
      const gw = await xmpp.gateway();
      const carol = await gw.client('carol');
      const r = await sendText(carol, 'im:carol@gw.test', 'im:nosuchuser@localhost', 'hello?');
      expect(r.status).toBe('error');
      // Prosody answers service-unavailable for an unknown local user (RFC 6121 §8.5.2.2.1).
      expect(h(r.headers, 'Error-Type')).toBe('no-listeners');
    });

    it("an XMPP client's error answer becomes the hub send's error (the Errors table of docs/adapters/xmpp-mapping.md)", async () => {
      const gw = await xmpp.gateway();
      const carol = await gw.client('carol');
      const romeo = await xmpp.user('romeo');
      // Romeo's client refuses whatever comes from the puppet (RFC 6120 §8.3: the error has the id).
      romeo.client.on('stanza', (s) => {
        const el = s as Element;
        if (el.is('message') && el.attrs.type !== 'error' && el.getChild('body') !== undefined)
          void romeo.client.send(
            xml(
              'message',
              { to: el.attrs.from, id: el.attrs.id, type: 'error' },
              xml('error', { type: 'auth' }, xml('forbidden', { xmlns: NS_STANZAS })),
            ),
          );
      });
      const r = await sendText(carol, 'im:carol@gw.test', 'im:romeo@localhost', 'let me in');
      expect(r.status).toBe('error');
      expect(h(r.headers, 'Error-Type')).toBe('target-authorization');
    });

    it('answers service discovery (XEP-0030) on the component domain and on puppet JIDs', async () => {
      await xmpp.gateway();
      const juliet = await xmpp.user('juliet');
      const info = await juliet.client.iqCaller.request(
        xml(
          'iq',
          { type: 'get', to: 'xmpp-gw.localhost' },
          xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' }),
        ),
      );
      const q = info.getChild('query', 'http://jabber.org/protocol/disco#info')!;
      expect(q.getChild('identity')?.attrs.category).toBe('gateway');
      expect(q.getChildren('feature').map((f) => f.attrs.var)).toContain('urn:xmpp:receipts');
      const pinfo = await juliet.client.iqCaller.request(
        xml(
          'iq',
          { type: 'get', to: PUPPET_CAROL },
          xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' }),
        ),
      );
      expect(pinfo.getChild('query')?.getChild('identity')?.attrs).toMatchObject({
        category: 'client',
        name: 'carol@gw.test',
      });
      // Issue 17: clients offer replies, corrections, retractions and reactions when advertised.
      expect(
        pinfo
          .getChild('query')
          ?.getChildren('feature')
          .map((f) => f.attrs.var),
      ).toEqual(
        expect.arrayContaining([
          'urn:xmpp:sid:0',
          'urn:xmpp:reply:0',
          'urn:xmpp:fallback:0',
          'urn:xmpp:message-correct:0',
          'urn:xmpp:message-retract:1',
          'urn:xmpp:reactions:0',
        ]),
      );
      const items = await juliet.client.iqCaller.request(
        xml(
          'iq',
          { type: 'get', to: 'xmpp-gw.localhost' },
          xml('query', { xmlns: 'http://jabber.org/protocol/disco#items' }),
        ),
      );
      expect(items.getChild('query')?.children).toEqual([]);
      await expect(
        juliet.client.iqCaller.request(
          xml(
            'iq',
            { type: 'get', to: 'xmpp-gw.localhost' },
            xml('query', { xmlns: 'jabber:iq:version:nothing' }),
          ),
        ),
      ).rejects.toMatchObject({ condition: 'service-unavailable' });
    });
  },
);
