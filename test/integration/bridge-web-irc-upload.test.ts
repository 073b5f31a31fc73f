/**
 * Across adapters, issue 17: a browser user (the web chat page in Debian's chromium, driven by
 * playwright-core) uploads an image into the gateway room whose members are the IRC channel
 * `#dev` (a real ngircd) and the web room `dev`: the composer shows the upload's progress, the
 * other web user sees the preview from the file store, and the channel gets the caption and the
 * file's link; a file over the limit or of a forbidden type is refused on the page.
 */
import { describe, expect, it } from 'vitest';
import { say, useBrowser } from '../support/browser.js';
import { useIrcServer } from '../support/irc.js';
import { waitFor } from '../support/net.js';
import { TOKENS } from '../support/websocket.js';
import { startWebIrcRoom } from '../support/web-irc-room.js';
import { ELF, pngOf } from '../support/files.js';

describe('a browser user and an IRC user in one room: uploads (issue 17)', () => {
  const irc = useIrcServer();
  const browser = useBrowser();

  const start = () => startWebIrcRoom(irc);

  it('a web user uploads an image with progress; the room shows its preview and IRC gets the post (issue 17)', async () => {
    const { http } = await start();
    const alice = await browser.signedIn(http, TOKENS.alice);
    const bob = await browser.signedIn(http, TOKENS.bob);
    for (const p of [alice, bob]) {
      await p.click('li[data-key="room:dev"]');
      await p.locator('#text:not([disabled])').waitFor();
    }
    const dave = await irc.user('Dave');
    await dave.join('#dev');
    // Every progress bar the composer shows, as it is drawn (XMLHttpRequest upload progress).
    // (A script text: the test files are compiled without the DOM's types.)
    await alice.evaluate(`
      window.progress = [];
      new MutationObserver((records) => {
        for (const r of records)
          for (const n of r.addedNodes)
            if (n instanceof HTMLElement)
              for (const e of n.querySelectorAll('progress')) window.progress.push({ value: e.value, max: e.max });
      }).observe(document.getElementById('composer-bar'), { childList: true, subtree: true });
    `);
    const image = pngOf(300 * 1024);
    await alice.setInputFiles('#file', { name: 'cat.png', mimeType: 'image/png', buffer: image });
    await alice.locator('#upload-list .ready', { hasText: 'cat.png (300 KB)' }).waitFor();
    const progress = (await alice.evaluate('window.progress')) as { value: number; max: number }[];
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toEqual({ value: image.length, max: image.length });

    await say(alice, 'our cat');
    await alice.locator('li.message.own[data-status="delivered"]', { hasText: 'our cat' }).waitFor();
    // The other web user sees the preview, loaded from the file store (the page's img-src allows it).
    const post = bob.locator('li.message:not(.own)', { hasText: 'our cat' });
    await post.waitFor();
    const img = post.locator('.attachments img.preview');
    await expect
      .poll(() => img.evaluate((e) => (e as unknown as { naturalWidth: number }).naturalWidth))
      .toBe(1);
    const src = (await img.getAttribute('src'))!;
    expect(src).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/f\/[A-Za-z0-9_-]+\/cat\.png$/);
    expect(await post.locator('.attachments a', { hasText: 'cat.png (300 KB)' }).getAttribute('href')).toBe(
      src,
    );
    await alice.locator('li.message.own .attachments img.preview').waitFor();
    // IRC takes no files: the channel gets the caption, then the file's link (docs/message-semantics.md).
    await waitFor(
      () => dave.lines.filter((l) => l.target === '#dev').length >= 2 || undefined,
      5000,
      'post on #dev',
    );
    expect(dave.lines.filter((l) => l.target === '#dev').map((l) => l.message)).toEqual([
      '<alice@web.test> our cat',
      `<alice@web.test> cat.png (image/png, 300 KiB): ${src}`,
    ]);
    await browser.screenshot(bob, 'web-upload-preview');

    // Over the limit: said before a byte goes out; a forbidden type: the store's refusal shown.
    await alice.setInputFiles('#file', {
      name: 'huge.png',
      mimeType: 'image/png',
      buffer: Buffer.alloc(600 * 1024),
    });
    await alice
      .locator('#upload-list .refused', { hasText: 'huge.png: 600 KB: files are limited to 512 KB' })
      .waitFor();
    await alice.setInputFiles('#file', { name: 'kitten.png', mimeType: 'image/png', buffer: ELF });
    await alice.locator('#upload-list .refused', { hasText: /^kitten\.png: .*not/ }).waitFor();
  });
});
