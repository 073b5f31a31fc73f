/**
 * Web file upload through a real gateway (issue 17, docs/adapters/web-chat.md "Attachments"):
 * `POST /upload` on the web adapter's HTTP server into the gateway's file store (src/files) and
 * its HTTP file server, both on loopback; the refusals (401, 413, 415, 429) and that they leave
 * everyone else alone; a send naming an uploaded file reaching a web user and a hub client; a
 * hub client's inline image reaching the page as a link of the store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandFrame } from '../../src/hub/frame/index.js';
import { buildMixed, type StoredFile } from '../../src/index.js';
import { mintToken } from '../../adapters/websocket/tokens.js';
import { ELF, PNG_1X1 } from '../support/files.js';
import { sendText } from '../support/hub-calls.js';
import { waitFor } from '../support/net.js';
import { SECRET, TOKENS, signIn, startWebGateway, type WebGateway } from '../support/websocket.js';

const CAROL = 'im:carol@gw.test';
const MAX = 8192;

describe('web file upload (issue 17)', () => {
  let web: WebGateway;
  const got: CommandFrame[] = [];
  let carol: Awaited<ReturnType<WebGateway['gw']['client']>>;

  beforeAll(async () => {
    web = await startWebGateway({ uploads: { maxBytes: MAX, perMinute: 3 } });
    carol = await web.gw.client('carol', 'imtp', (cmd) => {
      got.push(cmd);
      return { status: 'ok', headers: [] };
    });
    expect((await carol.command('listen', [['Inbox', CAROL]])).status).toBe('ok');
  });
  afterAll(() => web.stop());

  const upload = (body: Uint8Array, token: string | null, name = 'cat.png', type = 'image/png') =>
    fetch(`${web.http}/upload?name=${encodeURIComponent(name)}`, {
      method: 'POST',
      headers: { 'Content-Type': type, ...(token === null ? {} : { Authorization: `Bearer ${token}` }) },
      body,
    });

  it('keeps an upload in the store: 201 with its link, which serves the same bytes as image/png', async () => {
    // Before any file: the page's policy already lets it show images from the store (img-src,
    // the store's public base URL), and from nowhere else.
    const csp = (await fetch(`${web.http}/`)).headers.get('content-security-policy')!;
    const r = await upload(PNG_1X1, TOKENS.alice, 'cat.png', 'application/octet-stream');
    expect(r.status).toBe(201);
    const f = (await r.json()) as StoredFile;
    expect(f).toMatchObject({ contentType: 'image/png', size: PNG_1X1.length, filename: 'cat.png' });
    expect(f.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/f\/[A-Za-z0-9_-]{22,}\/cat\.png$/);
    const served = await fetch(f.url);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await served.arrayBuffer())).toEqual(PNG_1X1);
    expect(csp).toContain(`img-src 'self' data: ${new URL(f.url).origin};`);
  });

  it('refuses 401 without a valid token, 413 over the limit, 415 a forbidden type', async () => {
    const none = await upload(PNG_1X1, null);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error: 'not-authenticated' });
    expect((await upload(PNG_1X1, 'wrong-token-0123456789')).status).toBe(401);
    const big = await upload(new Uint8Array(MAX + 1), TOKENS.bob);
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({ error: 'too-large', message: `files are limited to ${MAX} octets` });
    // A program named like a picture: the store types it by its content.
    const elf = await upload(ELF, TOKENS.bob, 'kitten.png', 'image/png');
    expect(elf.status).toBe(415);
    expect(await elf.json()).toMatchObject({ error: 'forbidden-type' });
  });

  it('a flood of uploads from one user is refused 429; other users and messages go on', async () => {
    const flood = await mintToken(SECRET, 'flood', 600);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await upload(PNG_1X1, flood)).status);
    expect(statuses).toEqual([201, 201, 201, 429, 429]);
    const refused = await upload(PNG_1X1, flood);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({
      error: 'rate-limited',
      message: 'at most 3 uploads a minute',
    });
    expect((await upload(PNG_1X1, TOKENS.dave)).status).toBe(201);
    const sender = await signIn(web.ws, flood, true, 2);
    expect(await sender.request({ type: 'send', to: CAROL, text: 'still here' })).toMatchObject({
      status: 'ok',
    });
    sender.close();
  });

  it('a send with an uploaded file: the room sees it with its link, the hub client gets an external-body part', async () => {
    const f = (await (await upload(PNG_1X1, TOKENS.alice, 'photo.png')).json()) as StoredFile;
    const alice = await signIn(web.ws, TOKENS.alice, true, 2);
    const bob = await signIn(web.ws, TOKENS.bob, true, 2);
    for (const c of [alice, bob])
      expect(await c.request({ type: 'join', room: 'lobby' })).toMatchObject({ status: 'ok' });
    const before = got.length;
    // Only links of this store, and never the page's word for name, type or size.
    expect(
      await alice.request({
        type: 'send',
        room: 'lobby',
        attachments: [{ url: 'http://127.0.0.1:1/f/x/y.png' }],
      }),
    ).toMatchObject({ status: 'error', errorType: 'malformed' });
    const sent = await alice.request({
      type: 'send',
      room: 'lobby',
      text: 'our cat',
      attachments: [{ url: f.url, name: 'evil.exe', type: 'text/html', size: 1 }],
    });
    expect(sent).toMatchObject({ status: 'ok' });
    const shown = await bob.waitFor((x) => x.type === 'message' && x.text === 'our cat');
    expect(shown).toMatchObject({
      from: 'im:alice@web.test',
      attachments: [{ name: 'photo.png', type: 'image/png', size: PNG_1X1.length, url: f.url }],
    });
    await waitFor(() => got.length > before || undefined);
    const cpim = Buffer.from(got[before]!.payload!).toString();
    expect(cpim).toMatch(/Content-Type: multipart\/mixed; boundary=/);
    expect(cpim).toContain('our cat');
    expect(cpim).toContain(
      `Content-Type: message/external-body; access-type=URL; URL="${f.url}"; size=${PNG_1X1.length}`,
    );
    // The bytes are in the store only: the message names them.
    expect(cpim).not.toContain(PNG_1X1.toString('base64'));
    const file = { name: 'photo.png', type: 'image/png', size: PNG_1X1.length, url: f.url };
    // A direct message to another web user goes through the hub and is read back: the same link.
    expect(await alice.request({ type: 'send', to: 'bob', attachments: [{ url: f.url }] })).toMatchObject({
      status: 'ok',
    });
    const direct = await bob.waitFor((x) => x.type === 'message' && x.to === 'im:bob@web.test');
    expect(direct).toMatchObject({ text: '', attachments: [file] });
    // Someone joining later gets it in the room's history, with its link.
    const dave = await signIn(web.ws, TOKENS.dave, true, 2);
    await dave.request({ type: 'join', room: 'lobby' });
    const history = await dave.waitFor((x) => x.type === 'history' && x.room === 'lobby');
    expect(
      (history as { messages: { text: string }[] }).messages.find((x) => x.text === 'our cat'),
    ).toMatchObject({
      attachments: [file],
    });
    alice.close();
    bob.close();
    dave.close();
  });

  it("a hub client's inline image reaches the page as a link of the store", async () => {
    const alice = await signIn(web.ws, TOKENS.alice, true, 2);
    const payload =
      `From: <${CAROL}>\r\nTo: <im:alice@web.test>\r\n\r\n` +
      'Content-Type: multipart/mixed; boundary=b\r\n\r\n' +
      '--b\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nlook\r\n' +
      '--b\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename="dot.png"\r\n' +
      `Content-Transfer-Encoding: base64\r\n\r\n${PNG_1X1.toString('base64')}\r\n--b--\r\n`;
    const a = await sendText(carol, CAROL, 'im:alice@web.test', payload, [['Content-Type', 'message/cpim']]);
    expect(a.status).toBe('ok');
    const m = await alice.waitFor((x) => x.type === 'message' && x.from === CAROL && x.text === 'look');
    const [file] = (m as { attachments?: { url?: string }[] }).attachments ?? [];
    expect(file).toMatchObject({ name: 'dot.png', type: 'image/png', size: PNG_1X1.length });
    const served = await fetch(file!.url!);
    expect(Buffer.from(await served.arrayBuffer())).toEqual(PNG_1X1);
    // A file the hub client sends as a link (an external-body part, src/mime) keeps its link.
    const link = { url: file!.url!, contentType: 'image/png', filename: 'again.png', size: PNG_1X1.length };
    const linked = buildMixed('again', [], [link], 'lk');
    const b = await sendText(
      carol,
      CAROL,
      'im:alice@web.test',
      Buffer.concat([
        Buffer.from(
          `From: <${CAROL}>\r\nTo: <im:alice@web.test>\r\n\r\nContent-Type: ${linked.contentType}\r\n\r\n`,
        ),
        linked.body,
      ]),
      [['Content-Type', 'message/cpim']],
    );
    expect(b.status).toBe('ok');
    const again = await alice.waitFor((x) => x.type === 'message' && x.text === 'again');
    expect(again).toMatchObject({
      attachments: [{ name: 'again.png', type: 'image/png', size: PNG_1X1.length, url: file!.url }],
    });
    alice.close();
  });
});
