/**
 * Files on IRC through a real gateway against a real ngircd (issue 17, docs/files.md): a hub
 * client's file reaches the channel as a link to the gateway's file store, a long message as its
 * first line and a link to the whole text, and a file refused (too large, a forbidden type, over
 * the quota) is said to the sender while the next message goes.
 */
import { describe, expect, it } from 'vitest';
import { buildCpim, buildMixed, type InlineFile } from '../../src/index.js';
import type { HubClient } from '../../src/hub/client.js';
import { ELF, pngOf } from '../support/files.js';
import type { TestGateway } from '../support/gateway.js';
import { useIrcServer } from '../support/irc.js';
import { waitFor } from '../support/net.js';
import { h, listenAs, sendText } from '../support/hub-calls.js';

describe('IRC adapter bridging a real ngircd: files (issue 17)', () => {
  const irc = useIrcServer();
  let gw: TestGateway | undefined;

  const listener = (user: string) => listenAs(gw!, user);

  /** Issue 17 (docs/files.md): a gateway whose hub takes big payloads, with a small file store. */
  async function setupFiles(files: Record<string, unknown> = {}) {
    const accounts = ['bob', 'carol'].map((u) => ({
      user: u,
      password: u,
      identities: [`im:${u}@gw.test`, `pres:${u}@gw.test`],
    }));
    gw = await irc.gateway({
      config: {
        hub: {
          imtp: { host: '127.0.0.1', port: 0 },
          pitp: { host: '127.0.0.1', port: 0 },
          sasl: { mechanisms: ['PLAIN'], allowPlainWithoutTls: true },
          accounts,
          limits: { maxImPayloadBytes: 2 * 1024 * 1024 },
        },
        files: { listen: { host: '127.0.0.1', port: 0 }, ...files },
      },
    });
    return irc.user('Dave');
  }

  /** A Message/CPIM send of a caption and files inside (RFC 2046 5.1.3). */
  function filesCpim(from: string, to: string, caption: string, files: readonly InlineFile[]): Buffer {
    const m = buildMixed(caption, files, [], 'cpim-test-boundary');
    return buildCpim({
      startsWith: 'cpim-headers',
      from: { formalName: null, uri: from },
      to: [{ uri: to }],
      dateTime: new Date(),
      contentHeaders: [['Content-Type', m.contentType]],
      body: m.body,
    });
  }

  const sendFiles = (c: Pick<HubClient, 'command'>, caption: string, files: readonly InlineFile[]) =>
    sendText(
      c,
      'im:carol@gw.test',
      'im:dev@gw.test',
      filesCpim('im:carol@gw.test', 'im:dev@gw.test', caption, files),
      [['Content-Type', 'message/cpim']],
    );

  const urlIn = (line: string): string => /(https?:\/\/\S+?)\)?$/.exec(line)![1]!;

  it('gives IRC a link to a 300 KiB PNG from a hub client; the link serves the same bytes as image/png (issue 17)', async () => {
    const dave = await setupFiles();
    await dave.join('#dev');
    await listener('carol');
    const carol = await gw!.client('carol');
    const png = pngOf(300 * 1024);
    const r = await sendFiles(carol, 'look at this', [
      { filename: 'cat.png', contentType: 'image/png', content: png },
    ]);
    expect(r.status).toBe('ok');
    const lines = await waitFor(() => {
      const got = dave.lines.filter((l) => l.target === '#dev').map((l) => l.message);
      return got.length >= 2 && got;
    });
    expect(lines[0]).toBe('<carol> look at this');
    expect(lines[1]).toMatch(
      /^<carol> cat\.png \(image\/png, 300 KiB\): http:\/\/127\.0\.0\.1:\d+\/f\/[A-Za-z0-9_-]{24}\/cat\.png$/,
    );
    const got = await fetch(urlIn(lines[1]!));
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await got.arrayBuffer())).toEqual(png);
  });

  it('sends a message past maxLinesPerMessage as its first line and a link to the whole text (issue 17)', async () => {
    const dave = await setupFiles();
    await dave.join('#dev');
    await listener('carol');
    const carol = await gw!.client('carol');
    const text = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n');
    const r = await sendText(carol, 'im:carol@gw.test', 'im:dev@gw.test', text);
    expect(r.status).toBe('ok');
    expect(h(r.headers, 'Irc-Clipped')).toMatch(
      /^1 of 30 lines sent; full message at http:\/\/127\.0\.0\.1:\d+\/f\//,
    );
    expect((await sendText(carol, 'im:carol@gw.test', 'im:dev@gw.test', 'after')).status).toBe('ok');
    await waitFor(() => dave.lines.find((l) => l.message === '<carol> after'));
    const lines = dave.lines.filter((l) => l.target === '#dev').map((l) => l.message);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^<carol> line 1 … \(full message: http:\/\/127\.0\.0\.1:\d+\/f\/[A-Za-z0-9_-]{24}\/message\.txt\)$/,
    );
    const got = await fetch(urlIn(lines[0]!));
    expect(got.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await got.text()).toBe(text);
  });

  it('refuses a file too large, of a forbidden type, or over the quota, says why, and the next message goes (issue 17)', async () => {
    const dave = await setupFiles({ maxBytes: 400 * 1024, perOwnerBytesPerHour: 700 * 1024 });
    await dave.join('#dev');
    await listener('carol');
    const carol = await gw!.client('carol');
    const next = async (n: number) => {
      expect((await sendText(carol, 'im:carol@gw.test', 'im:dev@gw.test', `normal ${n}`)).status).toBe('ok');
      await waitFor(() => dave.lines.find((l) => l.message === `<carol> normal ${n}`));
    };
    const tooBig = await sendFiles(carol, 'big', [
      { filename: 'big.png', contentType: 'image/png', content: pngOf(450 * 1024) },
    ]);
    expect(tooBig.status).toBe('ok');
    expect(h(tooBig.headers, 'Irc-Clipped')).toMatch(
      /^big\.png not passed on: the file is \d+ octets, over the limit of 409600$/,
    );
    await next(1);
    const evil = Buffer.concat([ELF, Buffer.alloc(300 * 1024)]);
    const exe = await sendFiles(carol, 'cute', [
      { filename: 'cute.png', contentType: 'image/png', content: evil },
    ]);
    expect(h(exe.headers, 'Irc-Clipped')).toBe(
      'cute.png not passed on: files of type application/x-elf are not accepted',
    );
    await next(2);
    for (const n of [1, 2]) {
      const ok = await sendFiles(carol, `pic ${n}`, [
        { filename: `p${n}.png`, contentType: 'image/png', content: pngOf(300 * 1024) },
      ]);
      expect(h(ok.headers, 'Irc-Clipped')).toBeUndefined();
    }
    const over = await sendFiles(carol, 'pic 3', [
      { filename: 'p3.png', contentType: 'image/png', content: pngOf(300 * 1024) },
    ]);
    expect(h(over.headers, 'Irc-Clipped')).toMatch(
      /^p3\.png not passed on: over the limit of 716800 octets of files per hour$/,
    );
    await next(3);
    const shown = dave.lines.filter((l) => l.target === '#dev').map((l) => l.message);
    expect(shown).toContain('<carol> [image/png attachment big.png, 460800 octets] (not passed on)');
    expect(shown).toContain(`<carol> [image/png attachment cute.png, ${evil.length} octets] (not passed on)`);
    expect(shown.filter((l) => / \(image\/png, 300 KiB\): http/.test(l))).toHaveLength(2);
  });
});
