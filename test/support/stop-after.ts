/**
 * For the fixtures of things a test starts itself (gateways with per-test configuration): the
 * started thing is stopped in an afterEach, so a test body has no cleanup of its own.
 */
import { afterEach } from 'vitest';

/** Wraps `start`: whatever it starts during a test is stopped after that test. */
export function stopAfterEach<A extends unknown[], T extends { stop(): Promise<void> }>(
  start: (...args: A) => Promise<T>,
): (...args: A) => Promise<T> {
  const running: T[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((t) => t.stop()));
  });
  return async (...args) => {
    const t = await start(...args);
    running.push(t);
    return t;
  };
}
