/**
 * Across adapters: a browser user (the web chat page in Debian's chromium, driven by
 * playwright-core) and an IRC user on a real ngircd (a plain irc-framework client) talk through
 * one gateway room whose members are the IRC channel `#dev` and the web room `dev`. The IRC line
 * shows on the page with its sender and network, the web line reaches the channel with the relay
 * prefix, neither side gets its own line back, and the page shows the IRC user's presence (a
 * watch of `pres:dave@irc.test`): unknown before the gateway has seen the nick, online once he
 * joined and spoke, offline on QUIT and online again on JOIN. A formatted IRC line shows as its
 * text on the page. Issue 20, with a mail list in the room too (the test SMTP sink): a mail with
 * a 2 KB attachment shows on the page with its subject, its text (LF line ends) and a line
 * naming the file, and reaches the channel the same way; a web reply to it is mailed threaded;
 * a formatted IRC line reaches another channel of the room with its codes unchanged. A web
 * upload (issue 17): bridge-web-irc-upload.test.ts.
 */
import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { createEmailAdapterDefinition, type EmailAdapter } from '../../adapters/email/index.js';
import { websocketAdapter, type WebSocketAdapter } from '../../adapters/websocket/index.js';
import type { AdapterDefinition } from '../../src/adapter.js';
import { say, useBrowser } from '../support/browser.js';
import { stubResolver } from '../support/email.js';
import { MAIL } from '../support/email-gateway.js';
import { useIrcServer } from '../support/irc.js';
import { useMailSink } from '../support/mail-sink.js';
import { waitFor } from '../support/net.js';
import { sendText } from '../support/hub-calls.js';
import { signIn, TOKENS, type TestClient } from '../support/websocket.js';
import { startWebIrcRoom, tokenOf } from '../support/web-irc-room.js';
import type { ResultFrame } from '../../adapters/websocket/protocol.js';

describe('a browser user and an IRC user in one room', () => {
  const smtp = useMailSink();
  const irc = useIrcServer();
  const browser = useBrowser();

  const start = (o?: Parameters<typeof startWebIrcRoom>[1]) => startWebIrcRoom(irc, o);

  it('carries lines both ways without echoes and shows the IRC user’s presence on the page', async () => {
    const { gw, http } = await start();
    expect(gw.gateway.adapters.map((a) => a.status)).toEqual(['online', 'online']);
    const alice = await browser.signedIn(http, TOKENS.alice);
    // Alice opens a conversation with Dave before he was ever on IRC: the gateway has no presence
    // for a nick it has not seen (the watch is refused target-not-found), so he shows as unknown.
    const daveItem = 'li[data-key="direct:im:dave@irc.test"]';
    await alice.fill('#new-direct-to', 'im:dave@irc.test');
    await alice.press('#new-direct-to', 'Enter');
    await alice.waitForSelector(`${daveItem} .dot[data-state="unknown"]`);
    await alice.click('li[data-key="room:dev"]');
    await alice.locator('#text:not([disabled])').waitFor();

    const dave = await irc.user('Dave');
    await dave.join('#dev');

    // IRC → page: sender and network shown.
    dave.client.say('#dev', 'Hello from IRC, this is Dave');
    const fromIrc = alice.locator('li.message:not(.own)', { hasText: 'Hello from IRC, this is Dave' });
    await fromIrc.waitFor();
    expect(await fromIrc.locator('.from').innerText()).toBe('dave@irc.test');
    expect(await fromIrc.locator('.network').innerText()).toBe('irc.test');
    // His line makes the page watch him again, now that the gateway has seen him: online.
    await alice.waitForSelector(`${daveItem} .dot[data-state="online"]`);

    // A formatted IRC line travels as multipart/alternative; the page shows its text, not a
    // placeholder (issue 20: the core's MIME reader, src/mime).
    dave.client.say('#dev', '\x02Bold\x02 and \x0304red\x03 news');
    const formatted = alice.locator('li.message:not(.own)', { hasText: 'Bold and red news' });
    await formatted.waitFor();
    expect(await alice.locator('li.message', { hasText: 'multipart' }).count()).toBe(0);
    // ... with its formatting, styled on the page (issue 20: the one formatting model).
    expect(await formatted.locator('.text').innerText()).toBe('Bold and red news');
    // Styled property by property (CSSOM), never from markup.
    const style = (hasText: string) => formatted.locator('.text .run', { hasText }).getAttribute('style');
    expect(await style('Bold')).toBe('font-weight: bold;');
    expect(await style('red')).toBe('color: rgb(255, 0, 0);');

    // Page → IRC: relay mode prefixes the author's name, with the domain of a user not the gateway's.
    await say(alice, 'Hi Dave, Alice from the browser');
    const line = await waitFor(() => dave.lines.find((l) => l.target === '#dev'), 5000, 'line on #dev');
    expect(line.nick).toBe('gwbot');
    expect(line.kind).toBe('privmsg');
    expect(line.message).toBe('<alice@web.test> Hi Dave, Alice from the browser');
    // IRC gives no receipt: the page says "sent", not "delivered" (ok + Unreliable).
    const own = alice.locator('li.message.own', { hasText: 'Hi Dave, Alice from the browser' });
    await alice.locator('li.message.own[data-status="sent"]').waitFor();
    expect(await own.locator('.status').innerText()).toBe('sent, no receipt');

    // No echoes: a second line each way, then exactly what the other side wrote, once.
    dave.client.say('#dev', 'second from IRC');
    await alice.locator('li.message', { hasText: 'second from IRC' }).waitFor();
    await say(alice, 'second from the web');
    await waitFor(() => dave.lines.filter((l) => l.target === '#dev').length >= 2, 5000, '2 lines');
    await new Promise((r) => setTimeout(r, 300));
    expect(dave.lines.filter((l) => l.target === '#dev').map((l) => l.message)).toEqual([
      '<alice@web.test> Hi Dave, Alice from the browser',
      '<alice@web.test> second from the web',
    ]);
    expect(await alice.locator('li.message').allInnerTexts()).toHaveLength(5);
    expect(await alice.locator('li.message.own').count()).toBe(2);
    expect(await alice.locator('li.message:not(.own)', { hasText: 'from the web' }).count()).toBe(0);

    // Presence, in his conversation's header too: online; QUIT makes it offline; JOIN online.
    await alice.click(daveItem);
    await alice.locator('#peer-status', { hasText: 'online' }).waitFor();
    await dave.quit();
    await alice.waitForSelector(`${daveItem} .dot[data-state="offline"]`);
    await alice.locator('#peer-status', { hasText: 'offline' }).waitFor();
    const again = await irc.user('Dave');
    await again.join('#dev');
    await alice.waitForSelector(`${daveItem} .dot[data-state="online"]`);
    await alice.locator('#peer-status', { hasText: 'online' }).waitFor();

    await alice.click('li[data-key="room:dev"]');
    await alice.locator('li.message', { hasText: 'second from the web' }).waitFor();
    await browser.screenshot(alice, 'bridge-web-irc');
  });

  it('says on the page what IRC did not take whole: a post clipped to 15 of 20 lines (issue 20)', async () => {
    // `split` (the default `link` sends a long post as a link to the file store, issue 17).
    const { http } = await start({ irc: { longMessages: 'split' } });
    const alice = await browser.signedIn(http, TOKENS.alice);
    await alice.click('li[data-key="room:dev"]');
    await alice.locator('#text:not([disabled])').waitFor();
    const dave = await irc.user('Dave');
    await dave.join('#dev');
    const lines = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`);
    await say(alice, lines.join('\n'));
    const own = alice.locator('li.message.own[data-status="sent"]');
    await own.waitFor();
    expect(await own.locator('.status').innerText()).toBe('sent, no receipt (clipped: 15 of 20 lines sent)');
    await waitFor(() => dave.lines.filter((l) => l.target === '#dev').length >= 15, 5000, '15 lines');
    const got = dave.lines.filter((l) => l.target === '#dev').map((l) => l.message);
    expect(got).toHaveLength(15);
    expect(got[0]).toMatch(/line 1$/);
    expect(got[14]).toBe('<alice@web.test> line 15 …');
    // Counted: the IRC adapter's sends by outcome (docs/operations.md).
    const metrics = await (await fetch(`${http}/metrics`)).text();
    expect(metrics).toMatch(/cpim_irc_sends_total\{adapter="irc-test",outcome="clipped"\} 1/);
    await browser.screenshot(alice, 'bridge-web-irc-clipped');
  });

  /**
   * Ten web users post 20 lines each at once into the relay channel: each post's result says
   * whether its IRC copy went (no `failed` entry for #dev) or was refused, and why.
   */
  async function burst(ircConfig: Record<string, unknown>) {
    const users = Array.from({ length: 10 }, (_, i) => `user${i}`);
    const { gw, http } = await start({ irc: ircConfig, users });
    const dave = await irc.user('Dave');
    await dave.join('#dev');
    const ws = `${http.replace('http', 'ws')}/ws`;
    const clients: TestClient[] = [];
    for (const u of users) {
      const c = await signIn(ws, tokenOf(u));
      expect(await c.request({ type: 'join', room: 'dev' })).toMatchObject({ status: 'ok' });
      clients.push(c);
    }
    for (const [i, c] of clients.entries())
      for (let k = 0; k < 20; k++)
        c.send({ type: 'send', id: `p${k}`, room: 'dev', text: `u${i} post ${k}` });
    const results = await Promise.all(
      clients.map((c) =>
        waitFor(
          () => {
            const rs = c.frames.filter((f): f is ResultFrame => f.type === 'result' && f.id.startsWith('p'));
            return rs.length >= 20 && rs;
          },
          15_000,
          '20 results',
        ),
      ),
    );
    const sent: string[] = [];
    const refused: string[] = [];
    for (const [i, rs] of results.entries())
      for (const r of rs) {
        const text = `u${i} post ${r.id.slice(1)}`;
        expect(r.status).toBe('ok'); // the other web users got it
        const copy = r.failed?.find((f) => f.member === 'im:%23dev@irc.test');
        if (copy === undefined) sent.push(text);
        else {
          expect(copy.errorType).toBe('quota');
          refused.push(text);
        }
      }
    expect(sent.length + refused.length).toBe(200);
    // Every post answered as sent reaches the channel, and only those.
    await waitFor(() => dave.lines.filter((l) => l.target === '#dev').length >= sent.length, 10_000, 'lines');
    await new Promise((r) => setTimeout(r, 300));
    const onIrc = dave.lines
      .filter((l) => l.target === '#dev')
      .map((l) => l.message.replace(/^<[^>]*> /, ''));
    expect(onIrc.sort()).toEqual([...sent].sort());
    // Connected all along: no line says the network was unreachable.
    expect(gw.logs().filter((l) => /unreachable|down for/.test(JSON.stringify(l)))).toEqual([]);
    for (const c of clients) c.close();
    return { sent, refused };
  }

  it('carries a burst of ten web users x 20 posts to IRC in full at the connection’s pace (issue 20)', async () => {
    // The fixture's pace (test/support/irc.ts): fast, like a network that allows it.
    const { sent, refused } = await burst({});
    expect(refused).toEqual([]);
    expect(sent).toHaveLength(200);
  });

  it('answers the part of a burst beyond the relay pace quota, per post (issue 20)', async () => {
    // About 5 + 10 x 2 = 25 lines can leave within queue.maxAgeMs; the rest is the excess.
    const { refused } = await burst({
      flood: { enabled: true, burst: 5, linesPerSecond: 10 },
      queue: { maxAgeMs: 2000 },
    });
    expect(refused.length).toBeGreaterThan(0);
  });

  it('names hub user bob and web user bob apart in relay lines (issue 20)', async () => {
    const { gw, http } = await start({ irc: { relayNames: { labels: { 'web.test': 'web' } } } });
    const dave = await irc.user('Dave');
    await dave.join('#dev');
    const web = await signIn(`${http.replace('http', 'ws')}/ws`, TOKENS.bob);
    expect(await web.request({ type: 'join', room: 'dev' })).toMatchObject({ status: 'ok' });
    expect(await web.request({ type: 'send', room: 'dev', text: 'bob from the web' })).toMatchObject({
      status: 'ok',
    });
    const hub = await gw.client('bob');
    expect((await sendText(hub, 'im:bob@gw.test', 'im:dave@irc.test', 'bob from the hub')).status).toBe('ok');
    await waitFor(() => dave.lines.length >= 2, 5000, 'two lines');
    expect(dave.lines.map((l) => [l.target, l.message])).toEqual([
      ['#dev', '<bob@web> bob from the web'],
      ['Dave', '<bob> bob from the hub'],
    ]);
    web.close();
  });

  it('a mail with a 2 KB attachment reaches the page and the channel readable; a web reply is mailed threaded', async () => {
    const email = createEmailAdapterDefinition({ resolver: stubResolver({}) });
    const gw = await irc.gateway({
      irc: {
        channels: [
          { name: '#dev', room: 'im:dev@gw.test' },
          { name: '#ops', room: 'im:dev@gw.test' },
        ],
      },
      adapterDefinitions: [websocketAdapter as AdapterDefinition<never>, email as AdapterDefinition<never>],
      rooms: [
        {
          name: 'dev',
          address: 'im:dev@gw.test',
          members: ['im:%23dev@irc.test', 'im:%23ops@irc.test', 'im:room.dev@web.test', `im:dev@${MAIL}`],
        },
      ],
      adapters: [
        {
          type: 'websocket',
          domain: 'web.test',
          http: { port: 0 },
          auth: { tokens: [{ user: 'alice', token: TOKENS.alice }] },
          deliveryTimeoutMs: 2000,
          rooms: [{ name: 'dev', address: 'im:dev@gw.test', title: 'Dev (IRC #dev)' }],
        },
        {
          type: 'email',
          id: 'email',
          domain: MAIL,
          localDomain: 'gw.test',
          inbound: { port: 0 },
          outbound: { transport: 'smtp', host: '127.0.0.1', port: smtp.sink.port, timeoutMs: 5000 },
          lists: [{ name: 'dev', room: 'im:dev@gw.test', subscribers: ['erin@elsewhere.test'] }],
        },
      ],
    });
    const web = gw.gateway.adapters.find((a) => a.type === 'websocket')!.adapter as WebSocketAdapter;
    const mail = gw.gateway.adapters.find((a) => a.type === 'email')!.adapter as EmailAdapter;
    const alice = await browser.signedIn(`http://${web.address!.host}:${web.address!.port}`, TOKENS.alice);
    await alice.click('li[data-key="room:dev"]');
    await alice.locator('#text:not([disabled])').waitFor();
    const dave = await irc.user('Dave');
    await dave.join('#dev');

    const t = nodemailer.createTransport({ host: '127.0.0.1', port: mail.smtpAddress!.port });
    try {
      await t.sendMail({
        from: 'Erin <erin@elsewhere.test>',
        to: `dev@${MAIL}`,
        subject: 'small-attach',
        messageId: '<small-attach@elsewhere.test>',
        text: 'see small-attach\nsecond line',
        attachments: [
          { filename: 'notes.bin', content: Buffer.alloc(2048, 1), contentType: 'application/octet-stream' },
        ],
      });
    } finally {
      t.close();
    }
    // The page: the subject with the first message of the thread, the text, the attachment under
    // it as a link of the gateway's file store (issue 17: the web adapter keeps inline parts there).
    const item = alice.locator('li.message:not(.own)', { hasText: 'see small-attach' });
    await item.waitFor();
    expect(await item.locator('.subject').innerText()).toBe('small-attach');
    const shown = await item.locator('.text').evaluate((e) => e.textContent);
    expect(shown).toBe('see small-attach\nsecond line');
    expect(await item.locator('.attachments li').allInnerTexts()).toEqual(['notes.bin (2.0 KB)']);
    const link = (await item.locator('.attachments a').getAttribute('href'))!;
    expect(Buffer.from(await (await fetch(link)).arrayBuffer())).toEqual(Buffer.alloc(2048, 1));
    expect(await alice.locator('li.message', { hasText: 'content, ' }).count()).toBe(0);
    // The channel: the text and the attachment, line by line; the file as a link to the gateway's
    // file store (issue 17, docs/files.md).
    await waitFor(() => dave.lines.filter((l) => l.target === '#dev').length >= 3, 5000, 'mail on #dev');
    const onIrc = dave.lines.filter((l) => l.target === '#dev').map((l) => l.message);
    expect(onIrc.slice(0, 2)).toEqual([
      '<mailto=erin@elsewhere.test> see small-attach',
      '<mailto=erin@elsewhere.test> second line',
    ]);
    expect(onIrc[2]).toMatch(
      /^<mailto=erin@elsewhere\.test> notes\.bin \(application\/octet-stream, 2 KiB\): http:\/\/127\.0\.0\.1:\d+\/f\/[A-Za-z0-9_-]{24}\/notes\.bin$/,
    );
    expect(onIrc).toHaveLength(3);

    // Alice answers on the web: Erin's mail client threads it under her mail.
    await say(alice, 'Thanks Erin, got the file');
    const [reply] = await smtp.sink.waitFor(1, 5000);
    expect(reply!.parsed.text).toContain('Thanks Erin, got the file');
    expect(reply!.parsed.subject).toBe('Re: small-attach');
    expect(reply!.parsed.inReplyTo).toBe('<small-attach@elsewhere.test>');

    // A formatted IRC line reaches IRC readable, its codes unchanged: #dev → the room → #ops.
    const erin = await irc.user('Erin');
    await erin.join('#ops');
    dave.client.say('#dev', '\x02Bold\x02 and \x0304red\x03 news');
    const onOps = await waitFor(
      () => erin.lines.find((l) => l.target === '#ops' && l.message.includes('news')),
      5000,
      'line on #ops',
    );
    expect(onOps.message).toBe('<dave> \x02Bold\x02 and \x0304red\x03 news');

    // An HTML-only mail reaches the page and the channel as its text.
    const t3 = nodemailer.createTransport({ host: '127.0.0.1', port: mail.smtpAddress!.port });
    try {
      await t3.sendMail({
        from: 'Erin <erin@elsewhere.test>',
        to: `dev@${MAIL}`,
        subject: 'html-only',
        html: '<p>Meeting at <b>noon</b> &amp; cake</p>',
      });
    } finally {
      t3.close();
    }
    const htmlItem = alice.locator('li.message:not(.own)', { hasText: 'Meeting at noon & cake' });
    await htmlItem.waitFor();
    expect(await htmlItem.locator('.subject').innerText()).toBe('html-only');
    const htmlLine = await waitFor(
      () => dave.lines.find((l) => l.target === '#dev' && l.message.includes('Meeting')),
      5000,
      'HTML mail on #dev',
    );
    expect(htmlLine.message).toBe('<mailto=erin@elsewhere.test> Meeting at noon & cake');
    await browser.screenshot(alice, 'bridge-web-irc-mail');
  });
});
