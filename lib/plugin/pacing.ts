import PQueue from 'p-queue';
import type { Budget, Ticket } from '../session/budget';
import type { Gate } from '../session/gate';
import { CANCELED } from '../util/cancel';

// Admission to the transport (docs/rate-limits.md, "pacing"; docs/how-it-works.md, "admission"):
// every send of a paced attachment — replays and retries included — is admitted before it reaches
// the transport: at most `concurrency` in flight (`rateLimit.concurrency`, or the agent's
// `maxSockets`, so requests wait here and not in the agent's own queue, where a dead token could no
// longer be replaced), each with a ticket from the budget. Requests that cannot go at once wait in
// line: a p-queue, in order (replays first), paused while the token store's gate is held (a
// refresh, a rate-limit pause) and while the request at its head waits for a free place or for
// room in the budget; it drops a waiter whose signal aborts. When nobody waits and there is room, a
// request goes at once without entering the line (the per-request cost of a paced attachment,
// docs/benchmarks.md).

export interface Pacer {
  /**
   * Runs `send` once admitted: in its turn (`priority` first), within the concurrency, with room in
   * the budget. Rejects with {@link CANCELED} if `signal` aborts before; `send` itself owns the
   * abort once it runs. The place is given back when `send` settles.
   */
  run<T>(send: () => Promise<T>, how: { priority: number; signal?: AbortSignal | undefined }): Promise<T>;
  /** Roughly how long a request arriving now waits for a limit (the gate's pause, the budget), ms. */
  expectedWait(): number;
  /** Requests waiting to be admitted now. */
  readonly waiting: number;
  /** Nothing waits and nothing holds the line: a request now is admitted at once (unless the budget is out of room). */
  idle(): boolean;
  /** Sets the bound on sends in flight (the agent's `maxSockets` may change after attach). */
  setConcurrency(concurrency: number): void;
  /** Stops watching the gate (detach). */
  dispose(): void;
}

/** Resolves on `wake` (or after `ms`), rejects with CANCELED if `signal` aborts. */
function until(wake: (go: () => void) => () => void, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      stop();
      signal?.removeEventListener('abort', aborted);
    };
    const go = () => (done(), resolve());
    const aborted = () => (done(), reject(CANCELED));
    const timer = ms === Number.POSITIVE_INFINITY ? undefined : setTimeout(go, ms);
    const stop = wake(go);
    signal?.addEventListener('abort', aborted, { once: true });
    if (signal?.aborted) aborted();
  });
}

/**
 * Keeps a rate-limit pause's timer alive while requests wait in the line (gate.ts), and only then:
 * when the last of them gives up, the pause no longer keeps the process alive.
 */
function wakefulness(gate: Gate) {
  let awake: (() => void) | undefined;
  /** Requests given to the line that have not started yet. */
  let queued = 0;
  const release = () => {
    awake?.();
    awake = undefined;
  };
  return {
    entered() {
      queued++;
      if (gate.held) awake ??= gate.stayAwake();
    },
    left() {
      if (--queued === 0) release();
    },
    /** The gate closed: requests already in the line keep its pause's timer alive too. */
    closed() {
      if (queued > 0) awake ??= gate.stayAwake();
    },
    /** The gate opened: nothing to keep awake. */
    release,
  };
}

/**
 * Takes from `budget` while listening for answers: `heard()` tells whether an answer freed room
 * since the question. A shared budget answers later, and an answer that came in between must not go
 * unheard (the head would wait for an answer that already came, and the line behind it with it).
 */
function listenAndTake(budget: Budget | undefined) {
  let heard = false;
  const stop = budget?.onAnswer(() => (heard = true));
  return { taken: budget?.take(), heard: () => heard, stop: () => stop?.() };
}

/**
 * The pacer of one attachment. `active`: sends admitted and not yet settled. `line`: a p-queue that
 * starts its waiters one after another in one synchronous pass (no concurrency bound of its own: a
 * started waiter that is admitted returns at once), so it never depends on a microtask to move —
 * fake timers, which fake `queueMicrotask`, do not stall it.
 */
export function createPacer(options: { concurrency: number; gate: Gate; budget?: Budget | undefined }): Pacer {
  const { gate, budget } = options;
  let limit = options.concurrency;
  let active = 0;
  const line = new PQueue();
  /** Reasons the line is paused: the gate held, a waiter at its head waiting for a place or the budget. */
  let closed = 0;
  const close = () => closed++ === 0 && line.pause();
  const open = () => --closed === 0 && line.start();
  /** Waiters started by the line and waiting at its head. */
  let blocked = 0;
  /** Wakes the head of the line when a place frees. */
  let freed: (() => void) | undefined;
  const onFree = (go: () => void) => ((freed = go), () => (freed = undefined));
  const awake = wakefulness(gate);
  const unwatch = gate.watch((held) => {
    if (held) return (awake.closed(), close());
    awake.release();
    open();
  });

  /** A place and a ticket now, or `false`; never awaits (a shared budget answers later). */
  function now(): Ticket | undefined | false {
    if (active >= limit) return false;
    if (!budget) return undefined;
    if (budget.shared) return false;
    const got = budget.take() as Ticket | number;
    return typeof got === 'number' ? false : got;
  }

  /** At the head of the line, nobody else starting meanwhile: waits for a place, then for a ticket; takes the place. */
  async function head(signal?: AbortSignal): Promise<Ticket | undefined> {
    close();
    blocked++;
    try {
      for (;;) {
        while (active >= limit) await until(onFree, Number.POSITIVE_INFINITY, signal);
        const ask = listenAndTake(budget);
        let got: Ticket | number | undefined;
        try {
          got = await ask.taken;
        } finally {
          ask.stop();
        }
        if (typeof got === 'number' && ask.heard()) continue;
        if (typeof got !== 'number') {
          active++; // the place is taken before the line opens again
          return got;
        }
        await until((go) => budget!.onAnswer(go), got, signal);
      }
    } finally {
      blocked--;
      open();
    }
  }

  async function sendAdmitted<T>(send: () => Promise<T>, ticket: Ticket | undefined): Promise<T> {
    try {
      return await send();
    } finally {
      ticket?.answered();
      active--;
      freed?.();
    }
  }

  return {
    run(send, { priority, signal }) {
      // The fast lane: nobody waits and nothing holds the line.
      const fast = closed === 0 && line.size === 0 && !signal?.aborted ? now() : false;
      if (fast !== false) {
        active++;
        return sendAdmitted(send, fast);
      }
      awake.entered();
      let started = false;
      // p-queue drops a waiter whose signal aborts; the head of the line handles its own abort.
      const waiting = signal && new AbortController();
      const abort = () => waiting!.abort(CANCELED);
      signal?.addEventListener('abort', abort, { once: true });
      if (signal?.aborted) abort();
      let admitted: Ticket | undefined;
      return line
        .add(
          () => {
            started = true;
            awake.left();
            signal?.removeEventListener('abort', abort);
            const ticket = now();
            if (ticket !== false) return void ((admitted = ticket), active++);
            return head(signal).then((t) => void (admitted = t));
          },
          { priority, signal: waiting?.signal },
        )
        .then(
          () => sendAdmitted(send, admitted),
          (error: unknown) => {
            if (!started) awake.left();
            signal?.removeEventListener('abort', abort);
            throw waiting?.signal.aborted ? CANCELED : error;
          },
        );
    },
    expectedWait() {
      return Math.max(gate.pausedFor(), budget ? budget.eta(line.size + blocked) : 0);
    },
    get waiting() {
      return line.size + blocked;
    },
    idle: () => closed === 0 && line.size === 0 && active < limit,
    setConcurrency(concurrency) {
      if (limit === concurrency) return;
      limit = concurrency;
      freed?.();
    },
    dispose: unwatch,
  };
}
