// A caller's `signal` (or legacy `cancelToken`) as one AbortSignal, so a request waiting for a
// refresh can give up at once without cancelling the refresh the others wait for (docs/how-it-works.md,
// "The path of a request", step 2).

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
  return {
    signal: controller.signal,
    dispose: () => {
      for (const d of disposers) d();
    },
  };
}

/** How long a request may wait, and how it gives up (its `signal`, its own `timeout`). */
export interface Patience {
  signal?: AbortSignal;
  /** Epoch ms when the request's own `timeout` runs out. */
  deadline?: number;
}

/** Marks "the caller gave up while waiting"; turned into axios' own CanceledError by the caller. */
export const CANCELED: unique symbol = Symbol('canceled');

/** Marks "the request's own `timeout` ran out while it waited"; turned into axios' timeout error. */
export const TIMED_OUT: unique symbol = Symbol('timed out');

/**
 * Resolves with `promise`, or rejects with {@link CANCELED} as soon as `signal` aborts, or with
 * {@link TIMED_OUT} at `deadline` (epoch ms). The work goes on for others either way: one caller
 * giving up never cancels what others wait for (docs/how-it-works.md).
 */
export function waitFor<T>(promise: Promise<T>, signal?: AbortSignal, deadline?: number): Promise<T> {
  if (!signal && deadline === undefined) return promise;
  const early = signal?.aborted ? CANCELED : deadline !== undefined && Date.now() >= deadline ? TIMED_OUT : undefined;
  if (early) {
    promise.catch(() => {}); // its failure is the others' to see
    return Promise.reject(early);
  }
  return new Promise<T>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => finish(() => reject(CANCELED));
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      settle();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    if (deadline !== undefined) timer = setTimeout(() => finish(() => reject(TIMED_OUT)), deadline - Date.now());
    promise.then(
      (value) => finish(() => resolve(value)),
      (error) => finish(() => reject(error)),
    );
  });
}
