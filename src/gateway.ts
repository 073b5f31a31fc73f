/**
 * createGateway(config) → { start, stop }: the whole gateway as an object, with no argv and no
 * process.exit, so tests can run several in one process (design.md part 3).
 */
import type { GatewayConfig } from './config/schema.js';
import { component, type Logger } from './log.js';

export interface GatewayOptions {
  readonly log: Logger;
}

export interface Gateway {
  readonly config: GatewayConfig;
  start(): Promise<void>;
  /** Idempotent; waits for parts to close, at most `deadlineMs`. */
  stop(deadlineMs?: number): Promise<void>;
}

/** A started part of the gateway, stopped in reverse order of starting. */
interface Part {
  readonly name: string;
  start(): Promise<void>;
  stop(deadlineMs: number): Promise<void>;
}

export function createGateway(config: GatewayConfig, options: GatewayOptions): Gateway {
  const log = component(options.log, 'gateway');
  const parts: Part[] = [];
  const started: Part[] = [];
  let state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';

  return {
    config,
    async start() {
      if (state !== 'new') throw new Error(`gateway cannot start: it is ${state}`);
      state = 'starting';
      for (const part of parts) {
        await part.start();
        started.push(part);
        log.debug({ part: part.name }, 'part started');
      }
      state = 'running';
    },
    async stop(deadlineMs = 5000) {
      if (state === 'stopped' || state === 'stopping') return;
      state = 'stopping';
      for (const part of started.reverse()) {
        await part.stop(deadlineMs).catch((err: unknown) => log.warn({ err, part: part.name }, 'part did not stop cleanly'));
      }
      started.length = 0;
      state = 'stopped';
    },
  };
}
