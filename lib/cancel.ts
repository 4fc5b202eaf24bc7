// A caller's `signal` (or legacy `cancelToken`) as one AbortSignal, so a request waiting for a
// refresh can give up at once without cancelling the refresh the others wait for (behaviours 8, 9).

interface CancelTokenLike {
  reason?: unknown;
  promise?: Promise<unknown>;
  subscribe?: (fn: (reason: unknown) => void) => void;
  unsubscribe?: (fn: (reason: unknown) => void) => void;
}

export interface Cancellation {
  /** Aborts when the caller cancels; `undefined` when the request cannot be cancelled. */
  signal?: AbortSignal;
  dispose(): void;
}

const NONE: Cancellation = { dispose() {} };

/** Links a request's `signal` and `cancelToken` into one signal. */
export function cancellationOf(config: { signal?: unknown; cancelToken?: unknown }): Cancellation {
  const signal = config.signal as AbortSignal | undefined;
  const token = config.cancelToken as CancelTokenLike | undefined;
  if (!token && !signal) return NONE;
  if (!token && signal && typeof signal.addEventListener === 'function') return { signal, dispose() {} };
  const controller = new AbortController();
  const abort = () => controller.abort();
  const disposers: Array<() => void> = [];
  if (signal && typeof signal.addEventListener === 'function') {
    if (signal.aborted) abort();
    signal.addEventListener('abort', abort, { once: true });
    disposers.push(() => signal.removeEventListener('abort', abort));
  }
  if (token) {
    if (token.reason) abort();
    else if (typeof token.subscribe === 'function') {
      token.subscribe(abort);
      disposers.push(() => token.unsubscribe?.(abort));
    } else token.promise?.then(abort, () => {});
  }
  return { signal: controller.signal, dispose: () => disposers.forEach((d) => d()) };
}

/** Marks "the caller gave up while waiting"; turned into axios' own CanceledError by the caller. */
export const CANCELED: unique symbol = Symbol('canceled');

/** Resolves with `promise`, or rejects with {@link CANCELED} as soon as `signal` aborts. */
export function raceCancel<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => {}); // the work goes on for others; its failure is theirs to see
    return Promise.reject(CANCELED);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(CANCELED);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
