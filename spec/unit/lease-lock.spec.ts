import { takeIdbLease } from '../../lib/browser/lease-lock';
import { type LeaseBackend, withLease } from '../../lib/stores/lease';
import { News } from '../../lib/stores/news';

// The lease loop both stores share (lib/stores/lease.ts) with the real `News`, and the browser
// store's IndexedDB lease on it (real Chromium covers it end to end in spec/browser/tabs.browser.ts).
// Here, the race a waiter can lose: another holder releases the lease and announces it while this
// waiter's attempt is still in flight. The waiter must notice that news instead of sleeping until the
// lease would have run out. No time passes in these tests (fake timers, microtasks only).

jest.mock('../../lib/browser/idb', () => ({ readModifyWrite: jest.fn() }));
const idb = require('../../lib/browser/idb') as { readModifyWrite: jest.Mock };

afterEach(() => jest.useRealTimers());

/** Lets microtasks run, without advancing any timer. */
async function microtasks(): Promise<void> {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}

describe('withLease (lib/stores/lease.ts) with News', () => {
  it('a release announced during the attempt that found the lease held wakes the waiter at once', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const news = new News();
    let holder: string | undefined = 'other-process';
    let attempts = 0;
    const backend: LeaseBackend = {
      async take(owner) {
        attempts++;
        if (holder) {
          if (attempts === 1) {
            holder = undefined; // released and announced before this attempt's answer arrives
            news.publish();
          }
          return { taken: false, retryInMs: 10_000 };
        }
        holder = owner;
        return { taken: true };
      },
      renew: async () => undefined,
      release: async () => (holder = undefined),
    };
    let entered = false;
    const done = withLease({ backend, news, owner: 'me', renewEveryMs: 1_000 }, async () => {
      entered = true;
    });
    await microtasks();
    expect(entered).toBe(true);
    expect(attempts).toBe(2);
    await done;
    expect(holder).toBeUndefined(); // released
  });

  it('waits (on news) while the backend holds it off after taking, then runs', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const news = new News();
    let holdOff = 5_000;
    const backend: LeaseBackend = {
      take: async () => ({ taken: true }),
      renew: async () => undefined,
      release: async () => undefined,
      holdOffMs: () => holdOff,
    };
    let entered = false;
    const done = withLease({ backend, news, owner: 'me', renewEveryMs: 1_000 }, async () => {
      entered = true;
    });
    await microtasks();
    expect(entered).toBe(false);
    holdOff = 0;
    news.publish(); // e.g. the previous holder's write arrived
    await microtasks();
    expect(entered).toBe(true);
    await done;
  });
});

describe('the IndexedDB lease (lib/browser/lease-lock.ts)', () => {
  it('a release announced while the lease is being read wakes the waiter at once: it does not sleep out the lease', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const news = new News();
    let stored: unknown = { owner: 'other-tab', until: Date.now() + 5_000 };
    let reads = 0;
    idb.readModifyWrite.mockImplementation(
      async (_db: unknown, _key: string, change: (value: unknown) => { write: unknown } | undefined) => {
        reads++;
        const verdict = change(stored);
        if (reads === 1) {
          stored = undefined; // the other tab releases and announces it, before this read returns
          news.publish();
        }
        if (!verdict) return false;
        stored = verdict.write ?? undefined;
        return true;
      },
    );
    let readsBeforeEntering = -1;
    const done = takeIdbLease(
      {} as IDBDatabase,
      { key: 'lock', leaseMs: 5_000, timeoutMs: 20_000, refreshTimeoutMs: 15_000, news, announceRelease: () => {} },
      'me',
    ).then(async (held) => {
      readsBeforeEntering = reads;
      await held.release();
    });
    await microtasks();
    expect(readsBeforeEntering).toBe(2); // read, found held; news came; read again, took it
    await done;
  });
});

describe('the IndexedDB lease: a holder that hangs is taken over once, never in a cascade', () => {
  it('four tabs wait behind a hung holder: one takes over at the holder’s time; the others wait for the new holder, not for their own timers', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const news = new News();
    // The hung holder keeps renewing (its tab is alive) but never lets go.
    let stored: unknown = { owner: 'hung', until: Date.now() + 5_000, takeoverAt: Date.now() + 2_000, graceMs: 1_600 };
    idb.readModifyWrite.mockImplementation(
      async (_db: unknown, _key: string, change: (value: unknown) => { write: unknown } | undefined) => {
        const verdict = change(stored);
        if (!verdict) return false;
        stored = verdict.write ?? undefined;
        return true;
      },
    );
    const holders: string[] = [];
    const options = { key: 'lock', leaseMs: 5_000, timeoutMs: 2_000, refreshTimeoutMs: 600, news, announceRelease: () => news.publish() };
    for (const tab of ['a', 'b', 'c', 'd']) void takeIdbLease({} as IDBDatabase, options, tab).then(() => holders.push(tab));
    await jest.advanceTimersByTimeAsync(1_999);
    expect(holders).toEqual([]); // before the hung holder's time
    await jest.advanceTimersByTimeAsync(1);
    expect(holders).toHaveLength(1);
    // The new holder works on (renewing); the others' own waits have long run out: no cascade.
    await jest.advanceTimersByTimeAsync(1_500);
    expect(holders).toHaveLength(1);
    expect((stored as { owner: string }).owner).toBe(holders[0]);
  });
});
