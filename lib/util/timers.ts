import { TokenRefreshError } from '../errors/token-refresh-error';

/**
 * Runs `fn` with its own deadline (`refreshTimeoutMs`): never tied to one caller's signal, so one caller
 * giving up cannot cancel the refresh others wait for. The timer is always cleared: no handle is
 * left open.
 */
export async function withDeadline<T>(ms: number, what: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new TokenRefreshError(`The ${what} timed out after ${ms} ms`));
    }, ms);
  });
  const work = Promise.resolve().then(() => fn(controller.signal));
  work.catch(() => {}); // if the deadline wins, a late failure must not become an unhandled rejection
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits `ms`, or less if `signal` aborts; leaves no timer behind. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
