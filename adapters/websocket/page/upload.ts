/**
 * Files on the page (issue 17, docs/adapters/web-chat.md "Attachments"): picked with the file
 * button or dropped on the conversation, each checked against the limit the welcome frame gave
 * before a byte goes out, uploaded with `POST /upload` (XMLHttpRequest, whose upload progress
 * events drive a progress bar), then waiting in the composer until the message is sent with them.
 * A refusal shows the server's reason. Received files show as a link with name and size; an
 * image the store typed as image/* as a preview (an img of the store's link, allowed by the
 * page's Content-Security-Policy img-src; nothing is ever inserted as HTML).
 */
import type { WireAttachmentFrame } from '../protocol-attachments.js';
import { chat } from './state.js';
import { h } from './view.js';

/** An upload on its way, or refused (shown until dismissed or the next pick). */
export interface Upload {
  readonly name: string;
  readonly size: number;
  loaded: number;
  error?: string;
}

export const uploads: Upload[] = [];
/** Uploaded, waiting for the message that carries them. */
export const attached: WireAttachmentFrame[] = [];

const TOKEN_KEY = 'cpim.token';

/** 2048 → "2 KB" (powers of 1024, as file managers show). */
export function sizeText(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** Why the server refused: its JSON `message`, else the status. */
function reasonOf(xhr: XMLHttpRequest): string {
  try {
    const body = JSON.parse(xhr.responseText) as { message?: unknown };
    if (typeof body.message === 'string') return body.message;
  } catch {
    // Not JSON: the status says it.
  }
  return xhr.status === 0 ? 'the upload was cut off' : `refused (${xhr.status})`;
}

function upload(file: File, redraw: () => void): void {
  const u: Upload = { name: file.name, size: file.size, loaded: 0 };
  uploads.push(u);
  const max = chat.me?.limits.maxUploadBytes;
  if (max === undefined) u.error = 'file upload is off here';
  else if (file.size > max) u.error = `${sizeText(file.size)}: files are limited to ${sizeText(max)}`;
  else if (attached.length + uploads.filter((x) => !x.error).length > (chat.me?.limits.maxAttachments ?? 1))
    u.error = `at most ${chat.me?.limits.maxAttachments ?? 1} files per message`;
  if (u.error !== undefined) return redraw();
  const xhr = new XMLHttpRequest();
  xhr.open('POST', `/upload?name=${encodeURIComponent(file.name)}`);
  xhr.setRequestHeader('Authorization', `Bearer ${sessionStorage.getItem(TOKEN_KEY) ?? ''}`);
  xhr.upload.addEventListener('progress', (e) => {
    u.loaded = e.loaded;
    redraw();
  });
  xhr.addEventListener('loadend', () => {
    if (xhr.status === 201) {
      const f = JSON.parse(xhr.responseText) as {
        url: string;
        filename: string;
        contentType: string;
        size: number;
      };
      uploads.splice(uploads.indexOf(u), 1);
      attached.push({ url: f.url, name: f.filename, type: f.contentType, size: f.size });
    } else u.error = reasonOf(xhr);
    redraw();
  });
  xhr.send(file);
  redraw();
}

/** Files picked or dropped: each uploaded in turn (refusals of earlier picks are cleared). */
export function pick(files: FileList | readonly File[], redraw: () => void): void {
  for (let i = uploads.length - 1; i >= 0; i--) if (uploads[i]!.error !== undefined) uploads.splice(i, 1);
  for (const f of Array.from(files)) upload(f, redraw);
}

/** Uploads still running: the message waits for them. */
export function uploading(): boolean {
  return uploads.some((u) => u.error === undefined);
}

/** What the composer shows: each upload's progress or refusal, each file ready to go. */
export function uploadsBar(redraw: () => void): HTMLElement | null {
  if (uploads.length === 0 && attached.length === 0) return null;
  const items = uploads.map((u) =>
    u.error !== undefined
      ? h('li', { class: 'upload refused', role: 'alert' }, `${u.name}: ${u.error}`)
      : h(
          'li',
          { class: 'upload' },
          h('span', { class: 'name' }, u.name),
          h('progress', { max: String(Math.max(1, u.size)), value: String(u.loaded) }),
        ),
  );
  for (const a of attached) {
    const drop = h('button', { class: 'small link', type: 'button', title: 'Remove' }, '×');
    drop.addEventListener('click', () => {
      attached.splice(attached.indexOf(a), 1);
      redraw();
    });
    items.push(
      h(
        'li',
        { class: 'upload ready' },
        h('span', { class: 'name' }, `${a.name} (${sizeText(a.size)})`),
        drop,
      ),
    );
  }
  return h('ul', { id: 'upload-list', class: 'uploads' }, ...items);
}

/** A message's files: an image as a preview, any file as a link with its name and size. */
export function attachmentsView(list: readonly WireAttachmentFrame[] | undefined): HTMLElement | null {
  if (list === undefined || list.length === 0) return null;
  return h(
    'ul',
    { class: 'attachments' },
    ...list.map((a) => {
      const label = `${a.name} (${sizeText(a.size)})`;
      if (a.url === undefined || !/^https?:\/\//i.test(a.url))
        return h('li', { class: 'file' }, `${label}, ${a.type}`);
      const link = h('a', { href: a.url, target: '_blank', rel: 'noopener noreferrer' }, label);
      if (!/^image\//i.test(a.type)) return h('li', { class: 'file' }, link);
      const img = h('img', { class: 'preview', src: a.url, alt: a.name, loading: 'lazy' });
      // Not loadable (expired, another gateway's link the policy does not allow): the link stays.
      img.addEventListener('error', () => img.remove());
      const open = h('a', { href: a.url, target: '_blank', rel: 'noopener noreferrer' }, img);
      return h('li', { class: 'file image' }, open, link);
    }),
  );
}
