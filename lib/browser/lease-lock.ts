import { type HeldLease, type LeaseBackend, takeLease } from '../stores/lease';
import type { News } from '../stores/news';
import { readModifyWrite } from './idb';

// Where Web Locks are missing or refuse (an insecure http:// origin other than localhost, a browser
// from before 2022): a lease in IndexedDB, taken and released by compare-and-write transactions, as
// the Redis store does with SET NX PX; the waiting loop is the one both stores share
// (lib/stores/lease.ts). See docs/browser.md, "Fallbacks".
//
// A lease is taken over once, never in a cascade: each attempt is one transaction, so of several
// waiters exactly one replaces a given lease; the others find the new one and wait for *its* time.
// A holder that keeps renewing but never lets go (hung) is taken over `timeoutMs` after it took the
// lease; one that stops renewing (closed, frozen) once its lease has run out *and* its refresh
// deadline has passed, so that an answer still on its way to it could be stored.

/** The least time past the holder's refresh deadline before it may be taken over. */
const MARGIN_MS = 1_000;

interface Lease {
  owner: string;
  /** Renewed while the holder runs. */
  until: number;
  /** When a holder that keeps renewing may be taken over anyway. */
  takeoverAt: number;
  /** How long after `until` a holder that stopped renewing may still store an answer. */
  graceMs: number;
}

const isLease = (value: unknown): value is Lease =>
  !!value && typeof (value as Lease).owner === 'string' && typeof (value as Lease).until === 'number';

/** When `lease` may be taken over (a lease written by an older version: when it runs out). */
const freeAt = (lease: Lease) =>
  Math.min(typeof lease.takeoverAt === 'number' ? lease.takeoverAt : Infinity, lease.until + (lease.graceMs ?? 0));

export interface LeaseOptions {
  /** The record holding the lease (beside the tokens, under a key no token record can have). */
  key: string;
  /** How long a lease lasts unless renewed. */
  leaseMs: number;
  /** How long a holder may keep the lease before the others take it over. */
  timeoutMs: number;
  /** How long the holder's refresh may wait for its answer. */
  refreshTimeoutMs: number;
  /** News from other tabs (a release, new tokens): what a waiter wakes on. */
  news: News;
  /** Tells the other tabs the lease was released. */
  announceRelease(): void;
}

function idbLease(db: IDBDatabase, options: LeaseOptions): LeaseBackend {
  const { key, leaseMs } = options;
  const graceMs = options.refreshTimeoutMs + MARGIN_MS;
  const mine = (owner: string) => (stored: unknown) => isLease(stored) && stored.owner === owner;
  return {
    async take(owner) {
      const now = Date.now();
      let blockedUntil = 0;
      const taken = await readModifyWrite<Lease>(db, key, (stored) => {
        if (isLease(stored) && freeAt(stored) > now) {
          blockedUntil = freeAt(stored);
          return undefined;
        }
        return { write: { owner, until: now + leaseMs, takeoverAt: now + Math.max(options.timeoutMs, graceMs), graceMs } };
      });
      return taken ? { taken: true } : { taken: false, retryInMs: blockedUntil - now };
    },
    renew: (owner) =>
      readModifyWrite<Lease>(db, key, (stored) =>
        mine(owner)(stored) ? { write: { ...(stored as Lease), until: Date.now() + leaseMs } } : undefined,
      ),
    async release(owner) {
      await readModifyWrite<Lease>(db, key, (stored) => (mine(owner)(stored) ? { write: null } : undefined)).catch(() => false);
      options.announceRelease();
    },
  };
}

/** Takes the lease (waiting as long as it takes); renewed until released, expiring if this tab dies. */
export function takeIdbLease(db: IDBDatabase, options: LeaseOptions, owner: string): Promise<HeldLease> {
  return takeLease({ backend: idbLease(db, options), news: options.news, owner, renewEveryMs: options.leaseMs / 3 });
}
