/**
 * Issue 20, "one rendering path for content": each adapter's output for the bodies every other
 * adapter writes, built by the adapters' own code (an IRC formatted line, a mail with a 2 KB
 * attachment, an HTML-only body, a web post, an XMPP message with XHTML-IM). Every reader gets
 * the text; IRC gets IRC codes, mail HTML and XMPP XHTML-IM where the body had formatting; no
 * `[… content, N octets]` placeholder for a body with text.
 */
import { describe, expect, it } from 'vitest';
import { buildCpim, makeAddress, type Headers } from '../src/index.js';
import { renderForMail } from './email/render.js';
import { composeMail, mailToCpim, readImPayload } from './email/translate.js';
import { buildInboundPayload, readOutbound } from './irc/body.js';
import { buildMessage, readMessage } from './websocket/translate.js';
import type { XmppAddressing } from './xmpp/addresses.js';
import { cpimToXmppMessage, xmppToCpimMessage } from './xmpp/message-map.js';
import { messageStanza } from './xmpp/payload.js';

const NOW = new Date('2026-12-04T10:00:00Z');
const XMPP: XmppAddressing = { componentDomain: 'xmpp-gw.test', userDomains: ['xmpp.test'] };
const MAPPING = { domain: 'mail.test', localDomain: 'gw.test', aliases: {}, lists: [] };
const IRC_LINE = '\x02bold\x02 \x0304red\x03 \x1ditalic\x1d plain';
const ATTACHED = new Uint8Array(2048).fill(65);

/** The bodies, each as the adapter that receives it from its network writes it for the hub. */
const bodies = {
  irc: buildInboundPayload({ from: 'im:dave@irc.test', to: 'im:dev@gw.test', text: IRC_LINE, date: NOW }),
  mail: mailToCpim(
    {
      subject: 'small-attach',
      threading: { references: [] },
      text: 'see small-attach\nit is small',
      attachments: [{ filename: 'a.bin', contentType: 'application/octet-stream', content: ATTACHED }],
    },
    {
      from: makeAddress('im', 'dave', 'mail.test'),
      to: makeAddress('im', 'bob', 'web.test'),
      maxAttachmentBytes: 32 * 1024,
      now: NOW,
      boundary: 'b1',
    },
  ).payload,
  html: new Uint8Array(
    buildCpim({
      startsWith: 'cpim-headers',
      from: { uri: 'im:carol@hub.test' },
      to: [{ uri: 'im:bob@web.test' }],
      dateTime: NOW,
      contentHeaders: [['Content-Type', 'text/html; charset=UTF-8']],
      body: '<p>Meet at <b>noon</b> &amp; bring <i>cake</i></p>',
    }),
  ),
  web: buildMessage(
    makeAddress('im', 'bob', 'web.test'),
    makeAddress('im', 'dev', 'gw.test'),
    'line one\nline two',
    NOW,
  ),
  xmpp: xmppToCpimMessage(
    {
      from: 'juliet@xmpp.test/balcony',
      to: 'romeo@xmpp.test',
      type: 'chat',
      body: [{ text: 'hi strong' }],
      xhtml: '<p>hi <strong>strong</strong></p>',
    },
    XMPP,
    NOW,
  )!.payload,
};
type Source = keyof typeof bodies;

/** What each reader is shown: plain text, and the formatted form where its network has one. */
/**
 * `text`: what a text reader shows (XMPP's body); `web`: the page's text when it differs (issue
 * 17: the page shows files in its own list, `attachments`, not as lines of the text).
 */
const expected: Record<
  Source,
  { text: string; irc: string; mail: string; web?: string; files?: string[]; bold?: string }
> = {
  irc: { text: 'bold red italic plain', irc: IRC_LINE, mail: 'bold red italic plain', bold: 'bold' },
  mail: {
    text: 'see small-attach\nit is small\n[application/octet-stream attachment a.bin, 2048 octets]',
    web: 'see small-attach\nit is small',
    files: ['a.bin'],
    irc: 'see small-attach\nit is small\n[application/octet-stream attachment a.bin, 2048 octets]',
    mail: 'see small-attach\nit is small',
  },
  html: {
    text: 'Meet at noon & bring cake',
    irc: 'Meet at \x02noon\x0f & bring \x1dcake\x0f',
    mail: 'Meet at noon & bring cake',
    bold: 'noon',
  },
  web: { text: 'line one\nline two', irc: 'line one\nline two', mail: 'line one\nline two' },
  xmpp: { text: 'hi strong', irc: 'hi \x02strong\x0f', mail: 'hi strong', bold: 'strong' },
};

/** The authors (each body's CPIM From): the router's Sender for the web's identity check. */
const authors: Record<Source, string> = {
  irc: 'im:dave@irc.test',
  mail: 'im:dave@mail.test',
  html: 'im:carol@hub.test',
  web: 'im:bob@web.test',
  xmpp: 'im:juliet@xmpp.test',
};

describe.each(Object.keys(bodies) as Source[])('a body written by the %s adapter', (source) => {
  const payload = bodies[source];
  const want = expected[source];

  it('reaches IRC as its text, IRC formatting kept or converted', async () => {
    const out = await readOutbound('message/cpim', payload);
    expect(out.text).toBe(want.irc);
    expect(out.text).not.toMatch(/content, \d+ octets\]/);
  });

  it('reaches the web page as its text with LF line ends', async () => {
    const out = await readMessage(
      [
        ['Sender', authors[source]],
        ['Content-Type', 'message/cpim'],
      ] satisfies Headers,
      payload,
      NOW,
    );
    expect(out.text).toBe(want.web ?? want.text);
    // The files as read (attachments.ts then names them to the page, with a link from the store).
    expect((out.parts ?? []).map((a) => a.filename)).toEqual(want.files ?? []);
    expect(out.text).not.toContain('\r');
    // The page's formatting: runs of the one model that say the same text.
    if (want.bold === undefined) expect(out.format).toBeUndefined();
    else {
      expect(out.format!.map((r) => r.text).join('')).toBe(out.text);
      expect(out.format!.filter((r) => r.bold).map((r) => r.text)).toEqual([want.bold]);
    }
  });

  it('reaches XMPP as its text, formatting as XHTML-IM', async () => {
    const m = await cpimToXmppMessage(payload, XMPP, {
      type: 'chat',
      from: 'gw@xmpp-gw.test',
      to: 'romeo@xmpp.test',
    });
    expect(m.body.map((b) => b.text)).toEqual([want.text]);
    const stanza = messageStanza(m, 'id1', false);
    const body = stanza.getChild('html', 'http://jabber.org/protocol/xhtml-im')?.getChild('body');
    if (want.bold === undefined) expect(body).toBeUndefined();
    else {
      const bold = body!.getChildren('span').find((s) => /font-weight: bold/.test(String(s.attrs.style)));
      expect(bold?.getText()).toBe(want.bold);
      // Only the model's elements: nothing of the source HTML is copied (no <p>, no <b>).
      expect(body!.children.every((c) => typeof c === 'string' || ['span', 'br'].includes(c.name))).toBe(
        true,
      );
    }
  });

  it('reaches mail as text, HTML when formatted, attachments as attachments', async () => {
    const parts = readImPayload(payload, 'message/cpim')!;
    const content = await renderForMail(parts);
    const spec = composeMail({
      sender: makeAddress('im', 'someone', 'hub.test'),
      author: makeAddress('im', 'someone', 'hub.test'),
      parts,
      text: content.text,
      html: content.html,
      to: ['erin@elsewhere.test'],
      messageId: '<m1@mail.test>',
      cfg: MAPPING,
    });
    expect(content.text).toBe(want.mail);
    expect(spec.text.startsWith(`${want.mail}\r\n\r\n-- \r\n`)).toBe(true);
    if (want.bold !== undefined)
      expect(spec.html).toMatch(new RegExp(`<(b|strong)>${want.bold}</(b|strong)>`));
    if (source === 'mail') {
      expect(content.attachments).toHaveLength(1);
      expect(content.attachments[0]).toMatchObject({
        filename: 'a.bin',
        contentType: 'application/octet-stream',
      });
      expect(Buffer.from(content.attachments[0]!.content).equals(Buffer.from(ATTACHED))).toBe(true);
    } else expect(content.attachments).toEqual([]);
  });
});
