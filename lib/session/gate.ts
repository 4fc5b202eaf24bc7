import { waitFor } from '../util/cancel';

// The gate requests pass before they are sent (docs/how-it-works.md, "the gate"): open, they pass at
// once; while a refresh or a rate-limit pause holds it, they wait and are released together.
// Waiters cost one promise reaction each, not a queue entry each: 10,000 requests waiting behind a
// slow refresh stay cheap (docs/benchmarks.md, memory).
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
  /** Resolves when the gate opens; `undefined` when it is open. Rejects like {@link waitFor}. */
  pass(signal?: AbortSignal, deadline?: number): Promise<void> | undefined;
}

type Timer = ReturnType<typeof setTimeout> & { ref?: () => unknown; unref?: () => unknown };

export function createGate(): Gate {
  let holds = 0;
  let opened: Promise<void> | undefined;
  let open: (() => void) | undefined;
  let waiters = 0;
  let pausedUntil = 0;
  const timers = new Set<Timer>();

  function release(): void {
    if (--holds === 0) {
      open!();
      opened = open = undefined;
    }
  }

  function hold(until: Promise<unknown>): () => void {
    if (holds++ === 0) opened = new Promise<void>((resolve) => (open = resolve));
    let released = false;
    const once = () => {
      if (released) return;
      released = true;
      release();
    };
    until.then(once, once);
    return once;
  }

  function setWaiters(delta: number): void {
    const before = waiters;
    waiters += delta;
    if (before === 0 && waiters > 0) for (const t of timers) t.ref?.();
    if (before > 0 && waiters === 0) for (const t of timers) t.unref?.();
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
          if (waiters === 0) timer.unref?.();
          timers.add(timer);
        }),
      );
    },
    pass(signal, deadline) {
      if (!opened) return undefined;
      setWaiters(1);
      const passed = waitFor(opened, signal, deadline);
      const leave = () => setWaiters(-1);
      passed.then(leave, leave);
      return passed;
    },
  };
}
