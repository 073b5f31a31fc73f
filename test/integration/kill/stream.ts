/**
 * The stream of the kill tests: numbered messages sent with a window of unanswered ones, the
 * gateway killed (SIGKILL) once a given number were answered `ok`, so that the kill falls in the
 * middle of the stream with sends in flight. What each send was answered is recorded, and what
 * arrives is counted per number, to check "every message answered `ok` was delivered or is
 * delivered after the restart, none twice" (issue 15, "Done when").
 */

/** The text of message `i` of stream `name` (`name-000042`), the key the checks count by. */
export const numbered = (name: string, i: number): string => `${name}-${String(i).padStart(6, '0')}`;

/** The message number in `text`, if it is one of stream `name`. */
export function numberOf(name: string, text: string): number | undefined {
  const m = new RegExp(`${name}-(\\d{6})`).exec(text);
  return m ? Number(m[1]) : undefined;
}

export interface StreamOutcome {
  /** Numbers answered `ok` (or the network's idiom for it). */
  readonly ok: number[];
  /** Numbers sent and answered otherwise, or never answered (the connection died). */
  readonly failed: number[];
  /** How many were sent before the stream stopped. */
  readonly sent: number;
}

export interface StreamOptions {
  /** Sends message `i`; resolves true when it was accepted (`ok`), false otherwise. */
  readonly send: (i: number) => Promise<boolean>;
  /** At most this many messages (the stream is bounded in count). */
  readonly total: number;
  /** Unanswered sends at a time. */
  readonly window: number;
  /** Kill once this many were accepted. */
  readonly killAfterOk: number;
  readonly kill: () => Promise<void>;
  /** Refusals tolerated before the kill (default 20): more means the feature is not there. */
  readonly maxRefusedBeforeKill?: number;
}

/**
 * Runs the stream: `window` senders take the next number in turn; once `killAfterOk` sends were
 * accepted, `kill` runs while the senders go on (so sends are in flight when the process dies);
 * a sender stops at its first refused send after the kill. Resolves after the kill completed.
 */
export async function streamAndKill(o: StreamOptions): Promise<StreamOutcome> {
  const ok: number[] = [];
  const failed: number[] = [];
  let next = 0;
  let killing: Promise<void> | null = null;
  let refusedBeforeKill = 0;
  const worker = async (): Promise<void> => {
    while (next < o.total && refusedBeforeKill <= (o.maxRefusedBeforeKill ?? 20)) {
      const i = next++;
      const accepted = await o.send(i).catch(() => false);
      (accepted ? ok : failed).push(i);
      if (!accepted && killing === null) refusedBeforeKill++;
      if (ok.length >= o.killAfterOk && killing === null) killing = o.kill();
      if (!accepted && killing !== null) return;
    }
  };
  await Promise.all(Array.from({ length: o.window }, worker));
  if (killing === null)
    throw new Error(
      `the stream stopped (${next} sent, ${failed.length} refused) before ${o.killAfterOk} were accepted`,
    );
  await killing;
  return { ok: ok.sort((a, b) => a - b), failed: failed.sort((a, b) => a - b), sent: next };
}

/** How many times each number arrived. */
export function tally(numbers: readonly number[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const n of numbers) m.set(n, (m.get(n) ?? 0) + 1);
  return m;
}

/** The numbers that arrived more than once (must be none). */
export function duplicates(numbers: readonly number[]): number[] {
  return [...tally(numbers)].filter(([, c]) => c > 1).map(([n]) => n);
}

/** The accepted numbers that never arrived (must be none). */
export function missing(ok: readonly number[], arrived: readonly number[]): number[] {
  const got = new Set(arrived);
  return ok.filter((n) => !got.has(n));
}
