import PQueue from 'p-queue';
import type { Budget, Ticket } from '../session/budget';
import type { Gate } from '../session/gate';
import { CANCELED } from '../util/cancel';

// Admission to the transport (docs/rate-limits.md, "pacing"; docs/how-it-works.md, "admission"):
// every send of a paced attachment — replays and retries included — waits in a p-queue until it is
// admitted, then holds its place while the transport sends it. The queue's `concurrency` bounds the
// sends in flight (`rateLimit.concurrency`, or the agent's `maxSockets`, so requests wait here and
// not in the agent's own queue where a dead token could no longer be taken back); the queue is
// paused while the token store's gate is held (a refresh, a rate-limit pause) and while the budget
// has no room, so nothing leaves meanwhile and what waits leaves later with the newest token.

export interface Pacer {
  /**
   * Runs `send` once admitted: in its turn (`priority` first), within the concurrency, with room in
   * the budget. Rejects with {@link CANCELED} if `signal` aborts before; `send` itself owns the
   * abort once it runs. The place is given back when `send` settles.
   */
  run<T>(send: () => Promise<T>, how: { priority: number; signal?: AbortSignal }): Promise<T>;
  /** Roughly how long a request arriving now waits for a limit (the gate's pause, the budget), ms. */
  expectedWait(): number;
  /** Requests waiting to be admitted now. */
  readonly waiting: number;
  /** Sets the bound on sends in flight (the agent's `maxSockets` may change after attach). */
  setConcurrency(concurrency: number): void;
  /** Stops watching the gate (detach). */
  dispose(): void;
}

export function createPacer(options: { concurrency: number; gate: Gate; budget?: Budget | undefined }): Pacer {
  const { gate, budget } = options;
  const queue = new PQueue({ concurrency: options.concurrency });
  /** Reasons the queue is paused: the gate held, a send waiting for room in the budget. */
  let closed = 0;
  const close = () => closed++ === 0 && queue.pause();
  const open = () => --closed === 0 && queue.start();
  /** Keeps a rate-limit pause's timer alive while requests wait here (gate.ts), and only then. */
  let awake: (() => void) | undefined;
  /** Requests given to `run` that have not started yet: when the last one gives up, the pause may let the process exit. */
  let queued = 0;
  const left = () => {
    if (--queued > 0) return;
    awake?.();
    awake = undefined;
  };
  const unwatch = gate.watch((held) => {
    if (held) return close();
    awake?.();
    awake = undefined;
    open();
  });
  /** Sends started by the queue but still waiting for room in the budget. */
  let blocked = 0;

  /** Waits `ms` (or until an answer frees room), rejecting with CANCELED if `signal` aborts. */
  const room = (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        stop?.();
        signal?.removeEventListener('abort', aborted);
      };
      const go = () => (done(), resolve());
      const aborted = () => (done(), reject(CANCELED));
      const timer = ms === Number.POSITIVE_INFINITY ? undefined : setTimeout(go, ms);
      const stop = budget?.onAnswer(go);
      signal?.addEventListener('abort', aborted, { once: true });
      if (signal?.aborted) aborted();
    });

  /** A ticket from the budget; while there is no room, nothing else starts. */
  async function ticket(signal?: AbortSignal): Promise<Ticket | undefined> {
    if (!budget) return undefined;
    for (;;) {
      let got = budget.take();
      if (typeof got === 'object' && 'then' in got) {
        close(); // one question to a shared budget at a time
        try {
          got = await got;
        } finally {
          open();
        }
      }
      if (typeof got !== 'number') return got;
      close();
      blocked++;
      try {
        await room(got, signal);
      } finally {
        blocked--;
        open();
      }
    }
  }

  return {
    run(send, { priority, signal }) {
      return new Promise((resolve, reject) => {
        // p-queue drops a task whose signal aborts while it waits; once it runs, the send owns the abort.
        queued++;
        if (gate.held) awake ??= gate.stayAwake();
        let started = false;
        const waiting = signal && new AbortController();
        const abort = () => waiting!.abort(CANCELED);
        signal?.addEventListener('abort', abort, { once: true });
        if (signal?.aborted) abort();
        queue
          .add(
            async () => {
              started = true;
              left();
              signal?.removeEventListener('abort', abort);
              const taken = await ticket(signal);
              try {
                resolve(await send());
              } finally {
                taken?.answered();
              }
            },
            { priority, signal: waiting?.signal },
          )
          .catch((error: unknown) => {
            if (!started) left();
            signal?.removeEventListener('abort', abort);
            reject(waiting?.signal.aborted ? CANCELED : error);
          });
      });
    },
    expectedWait() {
      return Math.max(gate.pausedFor(), budget ? budget.eta(queue.size + blocked) : 0);
    },
    get waiting() {
      return queue.size + blocked;
    },
    setConcurrency(concurrency) {
      if (queue.concurrency !== concurrency) queue.concurrency = concurrency;
    },
    dispose: unwatch,
  };
}
