import type { News } from './news';

// The lease-acquire loop both shared stores use: the Redis store (`SET NX PX`, lib/redis/lease.ts)
// and the browser store where Web Locks are missing (a lease record in IndexedDB,
// lib/browser/lease-lock.ts). The backend makes one atomic attempt at a time — so of several
// waiters exactly one can replace a given lease, never a cascade — and says how long the current
// lease still blocks; this loop waits for news or that long, renews while `fn` runs, and releases
// after (docs/scaling.md "a lease lock", docs/browser.md "Fallbacks").

/** One atomic attempt: taken, or how long (ms) the current holder's lease still blocks. */
export type Attempt = { taken: true } | { taken: false; retryInMs: number };

export interface LeaseBackend {
  /** One try at the lease for `owner`, atomic in the backend. */
  take(owner: string): Promise<Attempt>;
  /** Extends `owner`'s lease while `fn` runs; a failure is retried at the next interval. */
  renew(owner: string): Promise<unknown>;
  /** Gives the lease up if it is still `owner`'s, and tells the waiters. */
  release(owner: string): Promise<unknown>;
  /** A try that threw may still be applied later (a command queued on the connection): undo it. */
  abandon?(owner: string): void;
  /** Once taken: how long to hold off before `fn` runs (a previous holder's refresh may still land); 0 to go. */
  holdOffMs?(owner: string): number;
  /**
   * After `fn`: a promise when a write is still owed under the lease (storage was away when `fn`
   * wrote), resolving once it landed or was given up; `undefined` when nothing is owed.
   */
  owed?(): Promise<void> | undefined;
}

export interface LeaseLoop {
  backend: LeaseBackend;
  news: News;
  /** A fresh owner name for this acquisition. */
  owner: string;
  /** How often the holder renews. */
  renewEveryMs: number;
  /** The longest to wait for the lease; then `timedOut()` is thrown. @default no limit */
  waitMs?: number;
  timedOut?(): Error;
  /** Throws when the store was closed meanwhile. */
  assertOpen?(): void;
  /**
   * A waiter's later attempt that fails (the backend came back a moment ago: one connection is up,
   * another not yet) is retried this many times in a row, after news or `retryAfterFailureMs`,
   * before the failure is passed on; a first attempt that fails is passed on at once. @default 0
   */
  failuresWhileWaiting?: number;
  retryAfterFailureMs?: number;
}

async function acquire(loop: LeaseLoop): Promise<void> {
  const { backend, news, owner } = loop;
  const giveUpAt = Date.now() + (loop.waitMs ?? Number.POSITIVE_INFINITY);
  let failures = 0;
  for (let waited = false; ; waited = true) {
    loop.assertOpen?.();
    const mark = news.mark(); // before asking: a release published during the attempt is not slept through
    let attempt: Attempt;
    try {
      attempt = await backend.take(owner);
      failures = 0;
    } catch (error) {
      backend.abandon?.(owner);
      if (!waited || ++failures > (loop.failuresWhileWaiting ?? 0) || Date.now() >= giveUpAt) throw error;
      attempt = { taken: false, retryInMs: loop.retryAfterFailureMs ?? 100 };
    }
    if (attempt.taken) return;
    const left = giveUpAt - Date.now();
    if (left <= 0) throw loop.timedOut?.() ?? new Error('Timed out waiting for the lease');
    await news.wait(Math.max(10, Math.min(left, attempt.retryInMs)), mark);
  }
}

/** Holds off while the backend says a previous holder's refresh may still land (woken by news). */
async function holdOff(loop: LeaseLoop): Promise<void> {
  for (;;) {
    const mark = loop.news.mark();
    const ms = loop.backend.holdOffMs?.(loop.owner) ?? 0;
    if (ms <= 0) return;
    loop.assertOpen?.();
    await loop.news.wait(ms, mark);
  }
}

/** A lease held: renewed until `release()`. */
export interface HeldLease {
  release(): Promise<void>;
}

/** Takes the lease (waiting for it as the loop says) and renews it until released. */
export async function takeLease(loop: LeaseLoop): Promise<HeldLease> {
  const { backend, owner } = loop;
  await acquire(loop);
  const renewal = setInterval(() => void backend.renew(owner).catch(() => {}), loop.renewEveryMs);
  (renewal as { unref?: () => void }).unref?.();
  let released: Promise<void> | undefined;
  const held = {
    release: () => {
      clearInterval(renewal);
      released ??= backend.release(owner).then(
        () => undefined,
        () => undefined,
      );
      return released;
    },
  };
  try {
    await holdOff(loop);
  } catch (error) {
    await held.release();
    throw error;
  }
  return held;
}

/**
 * Runs `fn` holding the lease: renewed every `renewEveryMs` while `fn` runs (and while a write is
 * still owed after it), released after. A holder that dies stops renewing and its lease runs out.
 */
export async function withLease<T>(loop: LeaseLoop, fn: () => Promise<T>): Promise<T> {
  const held = await takeLease(loop);
  try {
    return await fn();
  } finally {
    // `fn`'s outcome is the caller's at once; the lease stays ours (renewed) until a write it still
    // owes has landed, so no other holder reads the older tokens meanwhile.
    const owed = loop.backend.owed?.();
    if (owed) void owed.catch(() => {}).then(held.release);
    else await held.release();
  }
}
