/**
 * Runs `fn` holding the exclusive Web Lock `name`, shared by every tab and worker of the origin.
 *
 * The browser releases a lock when the tab holding it closes or crashes. A tab that stays alive but
 * never lets go (frozen, or a call that never settles) is the orphan case: after waiting
 * `timeoutMs` the lock is taken over with `steal`, so no tab waits longer than that
 * (docs/browser.md, "A tab that dies holding the lock"). If the lock is stolen from *this* tab while
 * `fn` runs, `fn` still finishes and its result is still returned: only the exclusion ended early.
 */
export async function withWebLock<T>(locks: LockManager, name: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  let result: Promise<T> | undefined;
  const run = () => (result = fn());
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    await locks.request(name, { mode: 'exclusive', signal: controller.signal }, run);
  } catch (error) {
    if (!result) {
      if (!controller.signal.aborted) throw error;
      await locks.request(name, { mode: 'exclusive', steal: true }, run).catch((stolenFromUs: unknown) => {
        if (!result) throw stolenFromUs;
      });
    }
  } finally {
    clearTimeout(timer);
  }
  return result!;
}

/** Where Web Locks are missing (insecure context, old browser): one at a time within this tab only. */
export function createTabMutex(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>) => {
    const run = tail.then(() => fn());
    tail = run.catch(() => {});
    return run;
  };
}
