/** What the event loop and the writer thread (engine-worker.ts, writer-thread.ts) say to each other. */
import type { WireBatch } from './wire.js';

export interface ThreadStart {
  readonly path: string;
  readonly location: string;
  readonly busyTimeoutMs: number;
}

export type ThreadRequest = { readonly id: number } & (
  | { readonly kind: 'commit'; readonly batch: WireBatch }
  | { readonly kind: 'check' }
  | { readonly kind: 'backup'; readonly target: string }
  | { readonly kind: 'close' }
);

/** The answer to request `id` (0: the thread opened its connection, or could not). */
export type ThreadReply =
  | { readonly id: number; readonly ok: true; readonly value?: unknown }
  | {
      readonly id: number;
      readonly ok: false;
      readonly error: { readonly code: string; readonly message: string };
    };
