// Waiting in tests, one way for every suite: on an event the test controls (`deferred`), on a
// condition nothing announces (`waitFor`, a bounded poll), or on a promise the contract says must
// settle (`within`, a bound). A fixed sleep never decides an outcome: the suite runs on busy
// 2-core machines, where any fixed delay is sometimes too short.

/** A promise with its resolve and reject exposed: lets a test decide when something happens. */
export function deferred<T = void>() {
  let resolve!: (value: T | PromiseLike<T>) => void;
  let reject!: (reason?: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * Resolves once `condition()` holds, checked every few milliseconds; rejects naming `what` after
 * `timeoutMs`. Only for states nothing announces: a count in the public `stats` (a request held at
 * the gate, a rate-limit pause begun), what a Redis server holds, a log line. The deadline only
 * bounds a broken test (it is far above what any run needs); it decides no outcome.
 */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > giveUpAt) throw new Error(`Gave up waiting (${timeoutMs} ms): ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

const bounds = new Set<NodeJS.Timeout>();

/**
 * Resolves with `promise`, or rejects with `failure` when it has not settled after `boundMs`: a bound
 * on a wait the contract says must end, so a regression fails with a message instead of hanging.
 * `clearBounds()` (in afterEach) drops the bounds of a test that failed before its promise settled.
 */
export function within<T>(promise: Promise<T>, failure: string, boundMs = 8_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      bounds.delete(timer);
      reject(new Error(failure));
    }, boundMs);
    bounds.add(timer);
    const settle = () => {
      clearTimeout(timer);
      bounds.delete(timer);
    };
    promise.then(
      (value) => (settle(), resolve(value)),
      (error) => (settle(), reject(error)),
    );
  });
}

/** Clears the bounds `within` still holds. */
export function clearBounds(): void {
  for (const timer of bounds) clearTimeout(timer);
  bounds.clear();
}
