/**
 * The addresses the web chat page writes: the signed-in user's domain, and the im: and pres:
 * URIs it sends in frames (docs/adapters/web-chat.md "Protocol").
 */
import { chat } from './state.js';

export function domain(): string {
  return chat.me?.domain ?? '';
}

/** A bare name is a web user here; the server reads the same forms (translate.ts readTarget). */
export function toUri(who: string): string {
  const t = who.trim();
  if (/^[a-z0-9][a-z0-9_-]{0,31}$/.test(t)) return `im:${t}@${domain()}`;
  if (/^(im|pres):/.test(t)) return 'im:' + t.slice(t.indexOf(':') + 1);
  return `im:${t}`;
}

export function presUri(uri: string): string {
  return 'pres:' + uri.slice(uri.indexOf(':') + 1);
}
