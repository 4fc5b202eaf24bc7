// Where the tokens are in localStorage or memory, a tab that takes the lock may not see yet what the
// previous holder wrote a moment ago: a localStorage read in another process lags the write (measured
// in Chromium: 3 reads in 10 inside a Web Lock saw the old value), a broadcast is not ordered with the
// lock. With rotating refresh tokens, that stale read would present the refresh token just spent.
// So every tab holds a *shared* Web Lock named after the newest version it knows, and a writer takes
// it before it releases the refresh lock: the lock manager answers `query()` consistently with its
// grants, so the next holder learns the newest version any live tab knows, and waits until its own
// copy has caught up (docs/browser.md, "Fallbacks").

export class VersionRegistry {
  /** The version whose lock this tab holds, and how to let go of it. */
  #holding: { v: number; release: () => void } | undefined;

  constructor(
    private readonly locks: LockManager,
    private readonly name: string,
  ) {}

  /** This tab knows version `v`: holds its lock (shared) and lets go of an older one. Resolves once held. */
  async know(v: number): Promise<void> {
    if (!(v > (this.#holding?.v ?? 0))) return;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    await new Promise<void>((held) => {
      this.locks.request(`${this.name}~v${v}`, { mode: 'shared' }, () => (held(), released)).catch(() => held());
    });
    if (v > (this.#holding?.v ?? 0)) {
      this.#holding?.release();
      this.#holding = { v, release };
    } else {
      release(); // a newer one arrived meanwhile
    }
  }

  /** The newest version any live tab of the origin knows (0: none). */
  async newest(): Promise<number> {
    const prefix = `${this.name}~v`;
    const { held = [] } = await this.locks.query();
    let newest = 0;
    for (const lock of held) if (lock.name?.startsWith(prefix)) newest = Math.max(newest, Number(lock.name.slice(prefix.length)) || 0);
    return newest;
  }

  close(): void {
    this.#holding?.release();
    this.#holding = undefined;
  }
}
