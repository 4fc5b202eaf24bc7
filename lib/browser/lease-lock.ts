import type { News } from '../stores/news';
import { withLease as withSharedLease, type LeaseBackend } from '../stores/lease';
import { readModifyWrite } from './idb';

// Where Web Locks are missing (an insecure http:// origin other than localhost, a browser from before
// 2022): a lease in IndexedDB, taken and released by compare-and-write transactions, as the Redis
// store does with SET NX PX; the waiting loop is the one both stores share (lib/stores/lease.ts).
// See docs/browser.md, "Fallbacks".

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
  /** News from other tabs (a release, new tokens): what a waiter wakes on. */
  news: News;
  /** Tells the other tabs the lease was released. */
  announceRelease(): void;
}

function idbLease(db: IDBDatabase, options: LeaseOptions): LeaseBackend {
  const { key, leaseMs } = options;
  const giveUpAt = Date.now() + options.timeoutMs;
  const mine = (owner: string) => (stored: unknown) => isLease(stored) && stored.owner === owner;
  return {
    async take(owner) {
      const now = Date.now();
      let heldUntil = 0;
      const taken = await readModifyWrite<Lease>(db, key, (stored) => {
        if (isLease(stored) && stored.until > now && now < giveUpAt) {
          heldUntil = stored.until;
          return undefined;
        }
        return { write: { owner, until: now + leaseMs } };
      });
      return taken ? { taken: true } : { taken: false, retryInMs: Math.min(heldUntil, giveUpAt) - now };
    },
    renew: (owner) => readModifyWrite<Lease>(db, key, (stored) => (mine(owner)(stored) ? { write: { owner, until: Date.now() + leaseMs } } : undefined)),
    async release(owner) {
      await readModifyWrite<Lease>(db, key, (stored) => (mine(owner)(stored) ? { write: null } : undefined)).catch(() => false);
      options.announceRelease();
    },
  };
}

/** Runs `fn` holding the lease: renewed while `fn` runs, released after, expiring if this tab dies. */
export function withLease<T>(db: IDBDatabase, options: LeaseOptions, fn: () => Promise<T>): Promise<T> {
  const owner = `${Date.now().toString(36)}.${Math.random().toString(36).slice(2)}`;
  return withSharedLease({ backend: idbLease(db, options), news: options.news, owner, renewEveryMs: options.leaseMs / 3 }, fn);
}
