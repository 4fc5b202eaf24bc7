import type { HeldLease } from '../stores/lease';
import type { News } from '../stores/news';
import { takeIdbLease } from './lease-lock';
import type { Records } from './records';
import { type HeldWebLock, holdWebLock, type LockTiming } from './web-lock';

// The refresh lock across the tabs of an origin, best first: Web Locks (web-lock.ts); where they are
// missing or refuse, a lease in IndexedDB (lease-lock.ts); where IndexedDB refuses too, none — one
// refresh at a time within this tab only (docs/browser.md, "Fallbacks").

export interface HeldTabLock {
  /** Names this acquisition: an intent record left by a holder that did not finish says whose it was. */
  readonly owner: string;
  /** Other tabs wait for this lock (false: it only orders this tab's own refreshes). */
  readonly crossTab: boolean;
  /** Lets the lock go for a while (every tab waiting for it has its turn)… */
  stepAside(): Promise<void>;
  /** …then takes it again, at the back of the queue. */
  retake(): Promise<void>;
  release(): Promise<void>;
}

export interface TabLockDeps {
  name: string;
  key: string;
  timing: LockTiming;
  news: News;
  /** Web Locks, unless missing or found refusing. */
  locks(): LockManager | undefined;
  /** Web Locks refused a request (a SecurityError): use the fallbacks from now on. */
  refused(): void;
  records(): Promise<Records>;
  /** Tells the other tabs the lease lock changed hands. */
  announce(): void;
}

/** Tries Web Locks; `undefined` when they are missing or refuse. */
async function webLock(deps: TabLockDeps, owner: string): Promise<HeldTabLock | undefined> {
  const locks = deps.locks();
  if (!locks) return undefined;
  let held: HeldWebLock;
  try {
    held = await holdWebLock(locks, deps.name, deps.timing);
  } catch {
    deps.refused(); // an API that refuses is an API that is missing
    return undefined;
  }
  return {
    owner,
    crossTab: true,
    stepAside: async () => held.release(),
    async retake() {
      held = await holdWebLock(locks, deps.name, deps.timing);
    },
    release: async () => held.release(),
  };
}

function leaseLock(db: IDBDatabase, deps: TabLockDeps, owner: string): Promise<HeldTabLock> {
  const options = {
    key: `\u0000lock:${deps.key}`,
    leaseMs: Math.min(5_000, deps.timing.timeoutMs),
    ...deps.timing,
    news: deps.news,
    announceRelease: deps.announce,
  };
  const take = async (): Promise<HeldLease> => {
    const lease = await takeIdbLease(db, options, owner);
    deps.announce(); // waiters that yielded their turn hear that someone took it
    return lease;
  };
  return take().then((first) => {
    let lease = first;
    return {
      owner,
      crossTab: true,
      stepAside: () => lease.release(),
      async retake() {
        lease = await take();
      },
      release: () => lease.release(),
    };
  });
}

/** Takes the refresh lock the best way the browser allows. */
export async function takeTabLock(deps: TabLockDeps): Promise<HeldTabLock> {
  const owner = `${Date.now().toString(36)}.${Math.random().toString(36).slice(2)}`;
  const web = await webLock(deps, owner);
  if (web) return web;
  const { db } = await deps.records();
  if (db) return leaseLock(db, deps, owner);
  const none = async () => {};
  return { owner, crossTab: false, stepAside: none, retake: none, release: none };
}
