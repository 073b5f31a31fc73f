/**
 * Handing an operation to the next hop and passing its answer back (draft §8, part 3 rows 24,
 * 30-31).
 */
import type { AnswerSink, Endpoint, Operation } from './operation.js';
import { answerFromError, errorAnswer, passOnError, type Answer } from '../protocol/index.js';
import type { RouteStats } from './stats.js';
import { plainOperation } from './visited.js';

/**
 * Delivers `op` to `endpoint` and answers only once it has answered (draft §8 MUST NOT answer
 * before the next hop, row 24). An error is passed on with `Error-Type`/`Error-Description`
 * unchanged and `Error-Originator` added when absent (row 31): `originator` is the next hop's
 * domain, or for a client the identifier it acted for (part 4 row 21). A rejected delivery counts
 * as that hop's `communications` failure (part 4 row 14). Ok answers, `Unreliable` and unknown
 * headers included, come back untouched (rows 11, 52).
 */
export function forward(
  endpoint: Endpoint,
  op: Operation,
  originator: string,
  stats?: RouteStats,
): Promise<Answer> {
  let delivered: Promise<Answer>;
  try {
    delivered = Promise.resolve(endpoint.deliver(op));
  } catch {
    return Promise.resolve(hopFailed());
  }
  // Not `async`/`await` (docs/architecture.md part 11): one reaction, and it never rejects.
  if (stats === undefined) return delivered.then((answer) => passedOn(answer, originator), hopFailed);
  // Issue 14: the delivery is timed and counted in the reaction that exists anyway; a monotonic
  // clock read on each side is the whole cost (docs/operations.md, delivery latency).
  const started = performance.now();
  return delivered.then(
    (answer) => counted(passedOn(answer, originator), stats, started),
    () => counted(hopFailed(), stats, started),
  );
}

function counted(answer: Answer, stats: RouteStats, started: number): Answer {
  stats.delivered(answer, performance.now() - started);
  return answer;
}

function passedOn(answer: Answer, originator: string): Answer {
  try {
    return answer.status === 'error' ? passOnError(answer, originator) : answer;
  } catch (e) {
    return answerFromError(e);
  }
}

function hopFailed(): Answer {
  return errorAnswer('communications', 'the next hop failed');
}

/**
 * `forward` with the answer going to `sink` (issue 18, the relay path): an endpoint that can
 * `relay` gets the operation and one `Forwarded` record that passes the answer on by a method
 * call; any other endpoint goes through `forward` and its promise. Same answers, same counts.
 */
export function forwardTo(
  endpoint: Endpoint,
  op: Operation,
  originator: string,
  stats: RouteStats | undefined,
  sink: AnswerSink,
): void {
  if (endpoint.relay === undefined) {
    void forward(endpoint, plainOperation(op), originator, stats).then((a) => sink.answered(a));
    return;
  }
  const f = new Forwarded(sink, originator, stats);
  try {
    endpoint.relay(op, f);
  } catch {
    f.threw();
  }
}

/** One relayed operation waiting for the next hop's answer: what `forward`'s reaction did. */
class Forwarded implements AnswerSink {
  private readonly started: number;
  private done = false;

  constructor(
    private readonly sink: AnswerSink,
    private readonly originator: string,
    private readonly stats: RouteStats | undefined,
  ) {
    this.started = stats === undefined ? 0 : performance.now();
  }

  answered(answer: Answer): void {
    if (this.done) return;
    this.done = true;
    const a = passedOn(answer, this.originator);
    if (this.stats !== undefined) this.stats.delivered(a, performance.now() - this.started);
    this.sink.answered(a);
  }

  /** The endpoint threw instead of taking the operation: not counted, as in `forward`. */
  threw(): void {
    if (this.done) return;
    this.done = true;
    this.sink.answered(hopFailed());
  }
}
