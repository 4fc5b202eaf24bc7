import { withLease, type LeaseOptions } from '../../lib/browser/lease-lock';

// The IndexedDB lease of BrowserTokenStore (where Web Locks are missing; real Chromium covers it in
// spec/browser/tabs.browser.ts). Here, the race a waiter can lose: another tab releases the lease and
// announces it while this tab's read of the lease is still in its transaction. The waiter must notice
// that news instead of sleeping until the lease would have run out (5 s). IndexedDB is modelled by one
// stored value; the other tab's release happens inside the read that finds the lease held.

jest.mock('../../lib/browser/idb', () => ({
  readModifyWrite: jest.fn(),
}));
const idb = require('../../lib/browser/idb') as { readModifyWrite: jest.Mock };

afterEach(() => jest.useRealTimers());

it('a release announced while the lease is being read wakes the waiter at once: it does not sleep out the lease', async () => {
  jest.useFakeTimers({ now: 1_000_000 });
  let stored: unknown = { owner: 'other-tab', until: Date.now() + 5_000 };
  let news = 0;
  const waiters = new Set<() => void>();
  const announce = () => {
    news++;
    for (const wake of [...waiters]) wake();
  };
  let reads = 0;
  idb.readModifyWrite.mockImplementation(async (_db: unknown, _key: string, change: (value: unknown) => { write: unknown } | undefined) => {
    reads++;
    const verdict = change(stored);
    if (reads === 1) {
      stored = undefined; // the other tab releases and announces it, before this read returns
      announce();
    }
    if (!verdict) return false;
    stored = verdict.write ?? undefined;
    return true;
  });
  const options: LeaseOptions = {
    key: 'lock',
    leaseMs: 5_000,
    timeoutMs: 20_000,
    announceRelease: () => {},
    newsMark: () => news,
    // As BrowserTokenStore waits: at once when news came since `since`, else until news or `ms`.
    waitForNews: (ms, since) =>
      new Promise<void>((resolve) => {
        if (news !== since) return resolve();
        const done = () => (waiters.delete(done), clearTimeout(timer), resolve());
        const timer = setTimeout(done, ms);
        waiters.add(done);
      }),
  };
  let entered = false;
  const done = withLease({} as IDBDatabase, options, async () => {
    entered = true;
  });
  for (let i = 0; i < 20 && !entered; i++) await Promise.resolve(); // microtasks only: no time passes
  expect(entered).toBe(true);
  expect(reads).toBe(2); // read, found held; news came; read again, took it
  await jest.advanceTimersByTimeAsync(0);
  await done;
});
