import { waitFor } from '../util/cancel';

// The gate requests pass before they are sent (docs/how-it-works.md, "the gate"): open, they pass at
// once; while a refresh or a rate-limit pause holds it, they wait and are released together.
// Waiters cost one promise reaction each, not a queue entry each: 10,000 requests waiting behind a
// slow refresh stay cheap (docs/benchmarks.md, memory: a p-queue entry per waiter measured 860
// bytes against 160). Paced traffic is held by p-queue itself: each attachment's admission queue
// watches the gate and is paused while it is held (plugin/pacing.ts).
//
// A pause's timer keeps the process alive only while a request waits at the gate: a pause whose
// every waiter gave up must not hold a script open for the rest of a 20-second `retryAfter`.

export interface Gate {
  /** True while something holds the gate. */
  readonly held: boolean;
  /** Holds the gate until `until` settles, or until the returned function is called (whichever comes first). Holds nest. */
  hold(until: Promise<unknown>): () => void;
  /** Holds the gate for `ms` (a rate limit); overlapping pauses coalesce into the longest. */
  pause(ms: number): void;
  /** How long the current rate-limit pause still lasts (ms; 0 when none). */
  pausedFor(): number;
  /** Requests waiting at the gate now, while a rate-limit pause holds it (0 otherwise: `stats.waiting`). */
  readonly pausedWaiters: number;
  /** Keeps the pause's timer alive for requests waiting elsewhere (an admission queue) until the returned function is called. */
  stayAwake(): () => void;
  /** Resolves when the gate opens; `undefined` when it is open. Rejects like {@link waitFor}. */
  pass(signal?: AbortSignal, deadline?: number): Promise<void> | undefined;
  /** Calls `listener(true)` when the gate closes and `listener(false)` when it opens (at once if it is held now); returns the function that stops it. */
  watch(listener: (held: boolean) => void): () => void;
}

type Timer = ReturnType<typeof setTimeout> & { ref?: () => unknown; unref?: () => unknown };

export function createGate(): Gate {
  let holds = 0;
  let opened: Promise<void> | undefined;
  let open: (() => void) | undefined;
  /** Requests waiting at the gate. */
  let waiters = 0;
  /** What keeps a pause's timer alive: the waiters, and admission queues with requests in them. */
  let awake = 0;
  let pausedUntil = 0;
  const timers = new Set<Timer>();
  const watchers = new Set<(held: boolean) => void>();

  function release(): void {
    if (--holds === 0) {
      open!();
      opened = open = undefined;
      for (const w of watchers) w(false);
    }
  }

  function hold(until: Promise<unknown>): () => void {
    if (holds++ === 0) {
      opened = new Promise<void>((resolve) => (open = resolve));
      for (const w of watchers) w(true);
    }
    let released = false;
    const once = () => {
      if (released) return;
      released = true;
      release();
    };
    until.then(once, once);
    return once;
  }

  function setAwake(delta: number): void {
    const before = awake;
    awake += delta;
    if (before === 0 && awake > 0) for (const t of timers) t.ref?.();
    if (before > 0 && awake === 0) for (const t of timers) t.unref?.();
  }

  return {
    get held() {
      return holds > 0;
    },
    hold,
    pause(ms) {
      const until = Date.now() + ms;
      if (until <= pausedUntil) return;
      pausedUntil = until;
      hold(
        new Promise<void>((resolve) => {
          const timer: Timer = setTimeout(() => {
            timers.delete(timer);
            resolve();
          }, ms);
          if (awake === 0) timer.unref?.();
          timers.add(timer);
        }),
      );
    },
    pausedFor() {
      return Math.max(0, pausedUntil - Date.now());
    },
    get pausedWaiters() {
      return pausedUntil > Date.now() ? waiters : 0;
    },
    stayAwake() {
      setAwake(1);
      let done = false;
      return () => {
        if (!done) (done = true), setAwake(-1);
      };
    },
    pass(signal, deadline) {
      if (!opened) return undefined;
      waiters++;
      setAwake(1);
      const passed = waitFor(opened, signal, deadline);
      const leave = () => (waiters--, setAwake(-1));
      passed.then(leave, leave);
      return passed;
    },
    watch(listener) {
      watchers.add(listener);
      if (holds > 0) listener(true);
      return () => {
        if (watchers.delete(listener) && holds > 0) listener(false);
      };
    },
  };
}
