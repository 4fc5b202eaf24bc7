// Which timers created during one run are still pending and keep the process alive (not unref'd)
// when it ends: no timer outlives the last pending request (docs/reliability.md, "Guarantees"). The global setTimeout and
// clearTimeout are wrapped for the duration of a run only; timers from earlier runs are not counted.

export interface TimerWatch {
  /** Timers created since `watchTimers()` that have neither fired nor been cleared, and are ref'd. */
  pending(): number;
  stop(): void;
}

export function watchTimers(): TimerWatch {
  const realSet = globalThis.setTimeout;
  const realClear = globalThis.clearTimeout;
  const live = new Set<ReturnType<typeof setTimeout>>();
  const wrappedSet = ((fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const timer = realSet(
      (...a: unknown[]) => {
        live.delete(timer);
        fn(...a);
      },
      ms,
      ...args,
    );
    live.add(timer);
    return timer;
  }) as typeof setTimeout;
  const wrappedClear = ((timer?: ReturnType<typeof setTimeout>) => {
    if (timer !== undefined) live.delete(timer);
    realClear(timer);
  }) as typeof clearTimeout;
  globalThis.setTimeout = wrappedSet;
  globalThis.clearTimeout = wrappedClear;
  return {
    pending: () => [...live].filter((t) => typeof t.hasRef !== 'function' || t.hasRef()).length,
    stop() {
      if (globalThis.setTimeout === wrappedSet) globalThis.setTimeout = realSet;
      if (globalThis.clearTimeout === wrappedClear) globalThis.clearTimeout = realClear;
    },
  };
}
