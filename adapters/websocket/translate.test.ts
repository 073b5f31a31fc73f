/** Pure translation: names, message/cpim, PIDF, answers. */
import { describe, expect, it } from 'vitest';
import { errorAnswer, okAnswer, parsePidf } from '../../src/index.js';
import {
  buildMessage,
  buildPresence,
  mergeRoomResults,
  presentityOf,
  readLocalInbox,
  readMessage,
  readPresence,
  readTarget,
  resultOf,
  roomInbox,
  userInbox,
} from './translate.js';

const D = 'web.test';

describe('websocket translate', () => {
  it('maps names to URIs and back', () => {
    expect(userInbox('alice', D).uri).toBe('im:alice@web.test');
    expect(roomInbox('lobby', D).uri).toBe('im:room.lobby@web.test');
    expect(readLocalInbox('room.lobby')).toEqual({ kind: 'room', name: 'lobby' });
    expect(readLocalInbox('alice')).toEqual({ kind: 'user', name: 'alice' });
    expect(readLocalInbox('Alice')).toBeNull();
    expect(readTarget('bob', D)).toMatchObject({ uri: 'im:bob@web.test' });
    expect(readTarget('pres:carol@irc.example.org', D)).toMatchObject({ uri: 'im:carol@irc.example.org' });
    expect(readTarget('dave@mail.example', D)).toMatchObject({ uri: 'im:dave@mail.example' });
    expect(typeof readTarget('im:', D)).toBe('string');
  });

  it('writes message/cpim and reads it back, with Orig-Sender naming a room message author', async () => {
    const now = new Date('2026-01-02T03:04:05Z');
    const bytes = buildMessage(userInbox('alice', D), userInbox('bob', D), 'hé\r\nthere', now);
    expect(Buffer.from(bytes).toString()).toBe(
      'From: <im:alice@web.test>\r\nTo: <im:bob@web.test>\r\nDateTime: 2026-01-02T03:04:05Z\r\n\r\n' +
        'Content-Type: text/plain; charset=UTF-8\r\n\r\nhé\r\nthere',
    );
    const headers = [
      ['Sender', 'im:lobby@gw.test'],
      ['Orig-Sender', 'im:alice@web.test'],
      ['Content-Type', 'message/cpim'],
    ] as const;
    // Line ends shown as LF (issue 20: no `\r\n` on the web).
    expect(readMessage(headers, bytes, new Date())).toEqual({
      from: 'im:alice@web.test',
      time: '2026-01-02T03:04:05Z',
      text: 'hé\nthere',
    });
    expect(readMessage([['Sender', 'im:x@y']], Buffer.from('plain'), now)).toEqual({
      from: 'im:x@y',
      time: now.toISOString(),
      text: 'plain',
    });
    // Issue 17: a body that is a file alone has no caption; the file goes to the page as a part.
    const image = await readMessage(
      [
        ['Sender', 'im:x@y'],
        ['Content-Type', 'image/png'],
      ],
      Buffer.alloc(3),
      now,
    );
    expect(image.text).toBe('');
    expect(image.parts?.map((p) => [p.type, p.octets])).toEqual([['image/png', 3]]);
  });

  it('shows the text of multipart bodies: a formatted IRC line and a mail with an attachment', async () => {
    const now = new Date('2026-01-02T03:04:05Z');
    const cpim = (entity: string) =>
      Buffer.from(`From: <im:dave@irc.test>\r\nTo: <im:bob@web.test>\r\n\r\n${entity}`);
    const headers = [
      ['Sender', 'im:dave@irc.test'],
      ['Content-Type', 'message/cpim'],
    ] as const;
    const irc =
      'Content-Type: multipart/alternative; boundary="irc-alt"\r\n\r\n' +
      '--irc-alt\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nBold news\r\n' +
      '--irc-alt\r\nContent-Type: text/x-irc; charset=UTF-8\r\n\r\n\x02Bold\x02 news\r\n' +
      '--irc-alt\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n<b>Bold</b> news\r\n--irc-alt--\r\n';
    expect(await readMessage(headers, cpim(irc), now)).toEqual({
      from: 'im:dave@irc.test',
      time: now.toISOString(),
      text: 'Bold news',
      // Issue 20: its formatting, as runs of the core's model for the page.
      format: [{ text: 'Bold', bold: true }, { text: ' news' }],
    });
    const mail =
      'Content-Type: multipart/mixed; boundary=M\r\n\r\n' +
      '--M\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nVoil=E0 the photo\r\n' +
      '--M\r\nContent-Type: image/jpeg\r\nContent-Disposition: attachment; filename=cat.jpg\r\n' +
      'Content-Transfer-Encoding: base64\r\n\r\n/9j/4AAQ\r\n--M--\r\n';
    // Issue 17: the caption is the text; the photo goes to the page as an attachment (attachments.ts).
    const m = await readMessage(headers, cpim(mail), now);
    expect(m.text).toBe('Voilà the photo');
    expect(m.parts?.map((p) => [p.type, p.filename, p.octets])).toEqual([['image/jpeg', 'cat.jpg', 6]]);
  });

  it('shows the authenticated author, never an inner From naming someone else (issue 13 defect 3)', async () => {
    const now = new Date('2026-01-02T03:04:05Z');
    const forged = Buffer.from(
      'From: Bob <im:bob@localhost>\r\nTo: <im:carol@web.test>\r\n\r\n' +
        'Content-Type: text/plain; charset=UTF-8\r\n\r\nsend me the keys',
    );
    const headers = [
      ['Sender', 'im:alice@localhost'],
      ['Content-Type', 'message/cpim'],
    ] as const;
    expect(await readMessage(headers, forged, now)).toEqual({
      from: 'im:alice@localhost',
      time: now.toISOString(),
      text: '(as "Bob") send me the keys',
    });
    // A From that names the author is shown as it is.
    const own = Buffer.from(
      forged.toString().replace('Bob <im:bob@localhost>', 'Alice <im:alice@localhost>'),
    );
    expect((await readMessage(headers, own, now)).text).toBe('send me the keys');
  });

  it('builds PIDF for each page state and reads it back', () => {
    const p = presentityOf(userInbox('alice', D));
    for (const state of ['online', 'idle', 'away'] as const) {
      const doc = buildPresence(p, { connected: true, state, note: 'n' }, new Date());
      expect(parsePidf(doc).warnings).toEqual([]);
      expect(readPresence(Buffer.from(doc), 'application/pidf+xml')).toEqual({ state, note: 'n' });
    }
    const off = buildPresence(p, { connected: false, state: 'online', note: '' }, new Date());
    expect(readPresence(Buffer.from(off), undefined)).toEqual({ state: 'offline' });
    expect(readPresence(Buffer.from('x'), 'application/presence')).toEqual({ state: 'unknown' });
    expect(readPresence(Buffer.from('<broken'), 'application/pidf+xml')).toEqual({ state: 'unknown' });
  });

  it('turns answers into result frames and merges room answers', () => {
    expect(resultOf('a', okAnswer([['Unreliable', 'x']]))).toEqual({
      type: 'result',
      id: 'a',
      status: 'ok',
      unreliable: true,
    });
    const failedCarol = {
      status: 'ok' as const,
      headers: [['Room-Failed', 'im:carol@gw.test no-listeners']] as const,
    };
    expect(resultOf('a', failedCarol)).toMatchObject({
      failed: [{ member: 'im:carol@gw.test', errorType: 'no-listeners' }],
    });
    const hubNone = resultOf('a', errorAnswer('no-listeners', 'the room has no other member'));
    const local = resultOf('a', okAnswer());
    expect(mergeRoomResults(hubNone, local, 'im:r@gw')).toEqual({ type: 'result', id: 'a', status: 'ok' });
    expect(mergeRoomResults(resultOf('a', errorAnswer('loop')), local, 'im:r@gw')).toMatchObject({
      status: 'ok',
      failed: [{ member: 'im:r@gw', errorType: 'loop' }],
    });
    expect(mergeRoomResults(hubNone, resultOf('a', errorAnswer('communications')), 'im:r@gw')).toMatchObject({
      status: 'error',
      errorType: 'communications',
    });
    expect(mergeRoomResults(hubNone, null, 'im:r@gw')).toBe(hubNone);
  });
});
