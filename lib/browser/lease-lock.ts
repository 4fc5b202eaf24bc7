import { readModifyWrite } from './idb';

// Where Web Locks are missing (an insecure http:// origin other than localhost, a browser from before
// 2022): a lease in IndexedDB, taken and released by compare-and-write transactions, as the Redis
// store does with SET NX PX. See docs/browser.md, "Fallbacks".

interface Lease {
  owner: string;
  until: number;
}

const isLease = (value: unknown): value is Lease =>
  !!value && typeof (value as Lease).owner === 'string' && typeof (value as Lease).until === 'number';

export interface LeaseOptions {
  /** The record holding the lease (beside the tokens, under a key no token record can have). */
  key: string;
  /** How long a lease lasts unless renewed: what a tab that closed while holding it costs the others. */
  leaseMs: number;
  /** After this long waiting, the lease is taken whoever holds it. */
  timeoutMs: number;
  /** How much news has been heard so far: read before trying the lease, handed to `waitForNews`. */
  newsMark(): number;
  /**
   * Resolves on news from another tab (a release, new tokens) or after `ms`; at once when news came
   * since `since`, so a release announced while the lease was being read is not slept through.
   */
  waitForNews(ms: number, since: number): Promise<void>;
  /** Tells the other tabs the lease was released. */
  announceRelease(): void;
}

/** Runs `fn` holding the lease: renewed while `fn` runs, released after, expiring if this tab dies. */
export async function withLease<T>(db: IDBDatabase, options: LeaseOptions, fn: () => Promise<T>): Promise<T> {
  const { key, leaseMs } = options;
  const owner = `${Date.now().toString(36)}.${Math.random().toString(36).slice(2)}`;
  const giveUpAt = Date.now() + options.timeoutMs;
  for (;;) {
    const now = Date.now();
    const mark = options.newsMark();
    let heldUntil = 0;
    const taken = await readModifyWrite<Lease>(db, key, (stored) => {
      if (isLease(stored) && stored.until > now && now < giveUpAt) {
        heldUntil = stored.until;
        return undefined;
      }
      return { write: { owner, until: now + leaseMs } };
    });
    if (taken) break;
    await options.waitForNews(Math.max(10, Math.min(heldUntil, giveUpAt) - now), mark);
  }
  const mine = (stored: unknown) => isLease(stored) && stored.owner === owner;
  const renewal = setInterval(() => {
    readModifyWrite<Lease>(db, key, (stored) => (mine(stored) ? { write: { owner, until: Date.now() + leaseMs } } : undefined)).catch(() => {});
  }, leaseMs / 3);
  try {
    return await fn();
  } finally {
    clearInterval(renewal);
    await readModifyWrite<Lease>(db, key, (stored) => (mine(stored) ? { write: null } : undefined)).catch(() => false);
    options.announceRelease();
  }
}
