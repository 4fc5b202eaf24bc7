// "Something happened elsewhere" for a store's waiters: a message from another process or tab (tokens
// stored, a lock released), or the store closing. A waiter reads `mark()` *before* it asks the
// backend, then `wait(ms, mark)`: news that came while it was asking (a release published during
// its read of the lock) ends the wait at once instead of being slept through — a whole lease, before
// this was one helper (docs/scaling.md, "a lease lock").

export class News {
  /** How many pieces of news so far; only `publish` changes it. */
  #count = 0;
  /** Waiters to wake on the next piece of news. */
  readonly #wakers = new Set<() => void>();

  /** How much news has come so far: read before asking the backend, handed to {@link News.wait}. */
  mark(): number {
    return this.#count;
  }

  /** Something happened: every waiter wakes. */
  publish(): void {
    this.#count++;
    for (const wake of [...this.#wakers]) wake();
  }

  /** Resolves on news, or after `ms`; at once when news came since `since`. Leaves no timer behind. */
  wait(ms: number, since: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.#count !== since) return resolve();
      const done = () => {
        clearTimeout(timer);
        this.#wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.#wakers.add(done);
    });
  }
}
