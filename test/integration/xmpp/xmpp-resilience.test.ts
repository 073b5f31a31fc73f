/**
 * The XMPP adapter under trouble, against a real Prosody (XEP-0114 §3; RFC 6120 §4.9): a refused
 * handshake fails the start, the component reconnects after the server restarts, and hostile
 * input (malformed XML, a DTD with entities, an oversized stanza, a flood) is refused while the
 * adapter goes on serving everyone else.
 */
import { describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../support/gateway.js';
import { h, listenAs } from '../../support/hub-calls.js';
import { waitFor } from '../../support/net.js';
import { prosodyInstalled } from '../../support/prosody.js';
import { received, useProsody, xmppAdapterConfig, type XmppUser } from '../../support/xmpp.js';
import { xmppAdapter } from '../../../adapters/xmpp/index.js';

const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
const PUPPET_CAROL = 'carol\\40gw.test@xmpp-gw.localhost';

const status = (gw: TestGateway) => gw.gateway.adapters.find((a) => a.id === 'xmpp-test')?.status;

/** Juliet's (or anyone's) message reaches carol through the gateway: the adapter still serves. */
async function stillServes(u: XmppUser, got: { payload?: Uint8Array }[], text: string): Promise<void> {
  await u.say(PUPPET_CAROL, text);
  await waitFor(
    () =>
      got.find((c) =>
        Buffer.from(c.payload ?? [])
          .toString()
          .endsWith(text),
      ),
    5000,
    text,
  );
}

function conditionOf(s: {
  getChild(n: string): { getChildElements(): { name: string; getNS(): string | undefined }[] } | undefined;
}) {
  return s
    .getChild('error')
    ?.getChildElements()
    .find((c) => c.getNS() === NS_STANZAS && c.name !== 'text')?.name;
}

describe.skipIf(!prosodyInstalled() && process.env['CI'] !== 'true')(
  'XMPP adapter resilience (real Prosody)',
  () => {
    const xmpp = useProsody();

    it('a wrong component secret fails the start with not-authorized (no retry fixes it)', async () => {
      await expect(
        startTestGateway({
          adapterDefinitions: [xmppAdapter as never],
          logLevel: 'warn',
          config: {
            adapters: [
              xmppAdapterConfig(xmpp.server, {
                server: { host: '127.0.0.1', port: xmpp.server.componentPort, secret: 'wrong' },
              }),
            ],
          },
        }),
      ).rejects.toThrow(/not-authorized/);
    });

    it('reconnects after Prosody restarts and serves again', async () => {
      const gw = await xmpp.gateway();
      const got = await listenAs(gw, 'carol');
      expect(status(gw)).toBe('online');
      await xmpp.server.kill();
      await waitFor(() => status(gw) === 'connecting', 5000, 'the adapter to notice the drop');
      await xmpp.server.start();
      await waitFor(() => status(gw) === 'online', 10_000, 'the adapter to reconnect');
      const juliet = await xmpp.user('juliet');
      await stillServes(juliet, got, 'after the restart');
      expect(h(got.at(-1)!.headers as never, 'Sender')).toBe('im:juliet@localhost');
    });

    it('finds a frozen server by its unanswered ping (XEP-0199), reconnects once it runs again', async () => {
      const gw = await xmpp.gateway({ xmpp: { keepalive: { intervalMs: 200, timeoutMs: 300 } } });
      const got = await listenAs(gw, 'carol');
      expect(status(gw)).toBe('online');
      // SIGSTOP: the TCP link stays up, nothing answers; only the ping can tell.
      process.kill(xmpp.server.pid, 'SIGSTOP');
      try {
        await waitFor(() => status(gw) === 'connecting', 5000, 'the adapter to give up on the frozen link');
      } finally {
        process.kill(xmpp.server.pid, 'SIGCONT');
      }
      await waitFor(() => status(gw) === 'online', 10_000, 'the adapter to reconnect');
      const juliet = await xmpp.user('juliet');
      await stillServes(juliet, got, 'after the freeze');
    });

    it('an oversized stanza is answered policy-violation and passed on to nobody; the sender and others go on', async () => {
      const gw = await xmpp.gateway({ xmpp: { limits: { maxStanzaBytes: 8192 } } });
      const got = await listenAs(gw, 'carol');
      const juliet = await xmpp.user('juliet');
      const romeo = await xmpp.user('romeo');
      const id = await juliet.say(PUPPET_CAROL, 'x'.repeat(20_000));
      const err = await received(juliet, (s) => s.attrs.type === 'error' && s.attrs.id === id);
      expect(conditionOf(err)).toBe('policy-violation');
      await stillServes(romeo, got, 'romeo after the big one');
      await stillServes(juliet, got, 'juliet after the big one');
      expect(got.some((c) => (c.payload?.length ?? 0) > 8192)).toBe(false);
      expect(status(gw)).toBe('online');
    });

    it('a flood from one JID is cut at the per-JID bucket with policy-violation; others are served', async () => {
      const gw = await xmpp.gateway({ xmpp: { limits: { perJid: { ratePerSecond: 0.01, burst: 5 } } } });
      const got = await listenAs(gw, 'carol');
      const juliet = await xmpp.user('juliet');
      const romeo = await xmpp.user('romeo');
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) ids.push(await juliet.say(PUPPET_CAROL, `flood ${i}`));
      const errors = await waitFor(
        () => {
          const e = juliet.stanzas.filter((s) => s.attrs.type === 'error' && ids.includes(s.attrs.id!));
          return e.length >= 15 && e;
        },
        5000,
        '15 refusals',
      );
      expect(new Set(errors.map(conditionOf))).toEqual(new Set(['policy-violation']));
      await stillServes(romeo, got, 'romeo during the flood');
      expect(
        got.filter((c) =>
          Buffer.from(c.payload ?? [])
            .toString()
            .includes('flood '),
        ).length,
      ).toBe(5);
    });

    it('malformed XML and a DTD from a client are refused by Prosody before the gateway; the adapter keeps serving', async () => {
      const gw = await xmpp.gateway();
      const got = await listenAs(gw, 'carol');
      const nurse = await xmpp.user('nurse');
      const romeo = await xmpp.user('romeo');
      // Prosody closes the client's stream; the bytes never reach the component as a stanza.
      await nurse.client
        .write(`<message to='${PUPPET_CAROL}' type='chat'><body>broken</bodyy></message>`)
        .catch(() => undefined);
      const juliet = await xmpp.user('juliet');
      await juliet.client
        .write(
          `<!DOCTYPE lol [<!ENTITY a "AAAAAAAAAA"><!ENTITY b "&a;&a;&a;&a;&a;">]><message to='${PUPPET_CAROL}' type='chat'><body>&b;</body></message>`,
        )
        .catch(() => undefined);
      await waitFor(
        () => nurse.client.status !== 'online' || undefined,
        5000,
        'the server to drop the malformed client',
      ).catch(() => undefined);
      await stillServes(romeo, got, 'romeo after the hostile ones');
      expect(got.some((c) => /broken|AAAA/.test(Buffer.from(c.payload ?? []).toString()))).toBe(false);
      expect(status(gw)).toBe('online');
    });
  },
);
