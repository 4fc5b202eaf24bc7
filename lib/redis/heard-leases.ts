// The leases of other processes this process heard announced on the channel, until their release
// is heard or they run out. Redis remembers the last lease too (scripts.ts), but a Redis that
// restarted empty or was flushed does not: then this is how a process that takes the new lock
// knows that a holder from before may still be refreshing, and waits for it (docs/scaling.md).

export class HeardLeases {
  /** owner → when its lease runs out (this process' clock). */
  readonly #until = new Map<string, number>();

  heard(owner: string, ms: number): void {
    this.#until.set(owner, Date.now() + ms);
  }

  released(owner: string): void {
    this.#until.delete(owner);
  }

  /** How long (ms) the longest lease of another owner than `owner` may still run; 0 when none. */
  othersMs(owner: string): number {
    const now = Date.now();
    let longest = 0;
    for (const [other, until] of this.#until) {
      if (until <= now) this.#until.delete(other);
      else if (other !== owner) longest = Math.max(longest, until - now);
    }
    return longest;
  }
}
