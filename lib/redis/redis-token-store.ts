import { randomBytes } from 'node:crypto';
import { isTokenRefreshError, TokenRefreshError } from '../errors/token-refresh-error';
import { News } from '../stores/news';
import { sameTokens } from '../stores/same-tokens';
import type { LockOptions, RateBudgetAnswer, RateBudgetRequest, TokenSet, TokenStore } from '../types';
import { withDeadline } from '../util/timers';
import { decodeMessage, decodeStored, encodeTokens, type Message, type Stored } from './codec';
import { evictionWarning } from './eviction';
import { HeardLeases } from './heard-leases';
import { DEFAULT_REFRESH_TIMEOUT_MS, withRedisLease } from './lease';
import { budgetKeys, type StoreNames, storeNames } from './names';
import { type RedisTokenStoreOptions, type ResolvedRedisOptions, resolveRedisOptions } from './options';
import { ANSWERED, TAKE_BUDGET, WRITE } from './scripts';
import { openSubscription, type Subscription } from './subscription';

export type { RedisClientLike, RedisSubscriberLike, RedisTokenStoreOptions } from './options';

type Listener = (tokens: TokenSet | null) => void;
/** The newest tokens this process knows of (`null`: cleared), at the version Redis gave them. */
interface Known {
  tokens: TokenSet | null;
  v: number;
}
/** A write Redis could not take (it was away): `next` replaces `expected` once Redis is back, unless it holds newer tokens by then. */
interface Owed {
  expected: TokenSet | null;
  next: TokenSet | null;
  floor: number;
}

const copy = (tokens: TokenSet | null) => tokens && { ...tokens };

/**
 * Tokens shared by every process that uses the same Redis key (in the same database), with one
 * refresh across all of them. See docs/scaling.md for the guarantees and the failure matrix.
 *
 * - Tokens live in one key as JSON, with a version `v` Redis assigns on every write; a clear
 *   leaves a tombstone. `compareAndSet` is one Lua script, atomic across processes.
 * - `lock(fn)` is a lease: `SET NX PX` with a random owner, renewed while `fn` runs, released by
 *   compare-and-delete, expiring by itself if its holder dies.
 * - Other processes hear of changes through pub/sub on a channel naming the database and the key;
 *   `subscribe(listener)` reports them (`null`: cleared elsewhere), never this object's own writes.
 * - Versions order everything: tokens older than the ones held are never adopted. If Redis
 *   restarts empty or from an older snapshot, the process restores the newest tokens it holds.
 * - If Redis goes away, a process keeps using the tokens it already has; anything that needs Redis
 *   (a refresh, a first read) fails with {@link TokenRefreshError} within `operationTimeoutMs`. A
 *   refresh result Redis could not take is kept, served, and written once Redis is back (unless
 *   Redis holds newer tokens by then); the lock stays held until it is.
 * - With `rateLimit`, every process on the store shares one per-user rate budget (`takeBudget`: a
 *   sorted set per budget, one Lua script, Redis' clock). A process that loses Redis sends within
 *   its share of the limit — the limit divided by the most processes it saw sharing it — never the
 *   whole limit unless it was alone (docs/scaling.md, "One rate budget").
 *
 * @example
 * ```ts
 * import Redis from 'ioredis';
 * import { createNextSchoolClient } from 'axios-graphql-refresh/nextschool';
 * import { RedisTokenStore } from 'axios-graphql-refresh/redis';
 *
 * const tokens = new RedisTokenStore({ redis: new Redis(process.env.REDIS_URL) });
 * // Every process running this shares one session, and one budget of NextSchool's 60 requests a minute.
 * const ns = createNextSchoolClient({ username, password, tokens });
 * ```
 */
export class RedisTokenStore implements TokenStore {
  readonly #options: ResolvedRedisOptions;
  readonly #names: StoreNames;
  /** Marks this object's own messages, which it ignores. */
  readonly #id = randomBytes(8).toString('hex');
  /** JSON up to `"v":`, completed by the write script. */
  readonly #head: string;
  /** The newest tokens seen (read, written or heard); the fallback when Redis is gone. */
  #known: Known | undefined;
  /** `#known` is what Redis holds: set by a read made while the subscription stayed live; cleared when it drops. */
  #fresh = false;
  #subscription: Subscription | undefined;
  /** close() was called: no new lock; other operations only while a lock of ours is still held. */
  #draining = false;
  #closing: Promise<void> | undefined;
  #closed = false;
  /** Locks of ours held right now (their `fn` running, or a write they owe still pending), and the longest lease among them. */
  #held = 0;
  #heldLeaseMs = 0;
  /** Of those, taken on a Redis with no record of the last lease (restarted, flushed): a refresh we never heard of may still land. */
  #heldBlind = 0;

  /** A refresh result Redis could not take: served from here, written once Redis is back. */
  #owed: Owed | undefined;
  #flushing: Promise<void> | undefined;
  /** Leases of other processes heard on the channel (a Redis that forgot them cannot say). */
  readonly #leases = new HeardLeases();
  /** A restore of the newest tokens in flight (Redis restarted or went back to an older snapshot). */
  #seeding: Promise<boolean> | undefined;
  readonly #listeners = new Set<Listener>();
  /** Messages heard (tokens stored, lock released), a resubscription, close(): what lock waiters wake on. */
  readonly #news = new News();
  /** Sends asked of the shared rate budget: with `#id`, each one's member in Redis. */
  #budgetAsks = 0;

  constructor(options: RedisTokenStoreOptions) {
    this.#options = resolveRedisOptions(options);
    this.#names = storeNames(this.#options.redis, this.#options.key);
    this.#head = `{"k":${JSON.stringify(this.#names.fullKey)},"db":${this.#names.db},"from":"${this.#id}","v":`;
  }

  #closedError(): TokenRefreshError {
    return new TokenRefreshError('The Redis token store is closed: create a new RedisTokenStore', { code: 'STORE_CLOSED' });
  }

  /** Every operation: refused once closed, and while closing unless a lock of ours is still held (its refresh may finish). */
  #assertOpen(): void {
    if (this.#closed || (this.#draining && this.#held === 0)) throw this.#closedError();
  }

  /** Runs a Redis command with a deadline: a Redis that does not answer must not hang a request. */
  #run<T>(what: string, command: () => Promise<T>): Promise<T> {
    return withDeadline(this.#options.operationTimeoutMs, `Redis ${what}`, command).catch((error: unknown) => {
      // ioredis errors may carry the command and its arguments (the tokens): keep name and message only.
      const cause = Object.assign(new Error(error instanceof Error ? error.message : String(error)), {
        name: error instanceof Error ? error.name : 'Error',
      });
      throw new TokenRefreshError(`The Redis token store is unavailable (${what})`, { cause });
    });
  }

  #connected(): boolean {
    const status = this.#options.redis.status;
    return status === undefined || status === 'ready' || status === 'wait';
  }

  /** Subscribes once, lazily, never after close(). */
  #subscribe(): Subscription {
    this.#assertOpen();
    if (!this.#subscription) this.#warnIfEvicting();
    this.#subscription ??= openSubscription(this.#options.redis, this.#names.channel, {
      message: (raw) => this.#onMessage(raw),
      lost: () => {
        this.#fresh = false; // messages may be missed while disconnected
      },
      confirmed: () => {
        // Changes made while we were not listening were missed, and Redis may have restarted:
        // write what we owe, compare with what Redis holds now (reports a missed change, restores
        // a lost key), and let lock waiters try again (a release may have been missed).
        void this.#flush()
          .then(() => this.get())
          .catch(() => {});
        this.#news.publish();
      },
    });
    return this.#subscription;
  }

  #onMessage(raw: string): void {
    const message = decodeMessage(raw);
    // Only our key in our database: a shared server carries other deployments' messages.
    if (!message || message.k !== this.#names.fullKey || message.db !== this.#names.db) return;
    this.#noteLease(message);
    if (message.from !== this.#id) {
      // Our own writes are known already; a lock we released still wakes our other waiters.
      if (typeof message.v === 'number' && message.t !== undefined) this.#adopt({ tokens: message.t, v: message.v }, 'message');
      // A process found no key (evicted, deleted, flushed): whoever holds tokens writes them back.
      if (message.want && this.#known && !this.#closed) void this.#seed();
    }
    this.#news.publish();
  }

  #noteLease(message: Message): void {
    if (message.lease && typeof message.lease.o === 'string' && typeof message.lease.ms === 'number')
      this.#leases.heard(message.lease.o, message.lease.ms);
    if (message.released && typeof message.o === 'string') this.#leases.released(message.o);
  }

  /** Once per store: a process warning when this Redis may evict the lock or the tokens. */
  #warnIfEvicting(): void {
    evictionWarning(this.#options.redis).then(
      (warning) => warning && process.emitWarning(warning, { code: 'AXIOS_GRAPHQL_REFRESH_REDIS_EVICTION' }),
      () => {},
    );
  }

  /** Takes `next` if it is newer than what we know; tells the listeners when it came from elsewhere. */
  #adopt(next: Known, source: 'own' | 'read' | 'message'): boolean {
    const before = this.#known;
    // Equal versions with other tokens only come from writers without versions (0.1.0): take theirs.
    if (before && (next.v < before.v || (next.v === before.v && sameTokens(before.tokens, next.tokens)))) return false;
    this.#known = { tokens: copy(next.tokens), v: next.v };
    // Redis holds newer tokens than a write we still owe was based on: ours is outdated.
    if (source !== 'own' && before && next.v > before.v) this.#owed = undefined;
    // A first read is not news; a clear heard before we ever knew tokens ends nothing here.
    const news = before ? !sameTokens(before.tokens, next.tokens) : source === 'message' && next.tokens !== null;
    if (source !== 'own' && news) {
      for (const listener of [...this.#listeners]) {
        try {
          listener(copy(next.tokens));
        } catch {
          // a listener's failure is its own; the others still hear
        }
      }
    }
    return true;
  }

  /**
   * Reconciles a read with what this process knows. Redis without the key while we hold tokens, or
   * with an older version, forgot them (a restart, an older snapshot): we keep ours and restore
   * them there. Only a tombstone (a clear made somewhere) makes the tokens go away. `settled` is
   * false while a restore is still owed (it failed: the next read tries again).
   */
  async #reconcile(stored: Stored): Promise<{ tokens: TokenSet | null; settled: boolean }> {
    const known = this.#known;
    if (stored.kind === 'absent') {
      if (known?.tokens) return { tokens: copy(known.tokens), settled: await this.#seed() };
      this.#known ??= { tokens: null, v: 0 };
      return { tokens: null, settled: true };
    }
    if (!known || stored.v > known.v || (stored.v === known.v && !sameTokens(stored.tokens, known.tokens))) {
      this.#adopt(stored, 'read');
      return { tokens: copy(stored.tokens), settled: true };
    }
    const settled = stored.v < known.v ? await this.#seed() : true;
    return { tokens: copy(known.tokens), settled };
  }

  /** Restores the newest tokens we know where Redis lost them (atomic: only if Redis is still behind); resolves whether Redis answered. */
  #seed(): Promise<boolean> {
    // `.finally` runs after the assignment, even when there is nothing to restore.
    this.#seeding ??= this.#seedOnce().finally(() => (this.#seeding = undefined));
    return this.#seeding;
  }

  async #seedOnce(): Promise<boolean> {
    try {
      const known = this.#known;
      if (known) await this.#write('seed', null, known.tokens, known.v);
      return true;
    } catch {
      return false; // Redis is unreachable again: the next read tries again
    }
  }

  /** One write script call (see scripts.ts); records what it wrote as the newest known. */
  async #write(mode: 'set' | 'cas' | 'seed', expected: TokenSet | null, next: TokenSet | null, floor: number): Promise<boolean> {
    const { redis } = this.#options;
    if (next !== null && (typeof next !== 'object' || typeof next.accessToken !== 'string' || next.accessToken === '')) {
      throw new TypeError('Expected `tokens` to be null or an object with a non-empty `accessToken`');
    }
    const args = [
      mode,
      expected?.accessToken ?? '',
      expected?.refreshToken ?? '',
      expected?.refreshToken === undefined ? '0' : '1',
      floor,
      encodeTokens(next),
      this.#names.channel,
      this.#head,
    ];
    const [written, v] = (await this.#run(mode === 'cas' ? 'compare-and-set' : 'SET', () =>
      redis.eval(WRITE, 2, this.#names.key, this.#names.lease, ...args),
    )) as [number, number];
    if (written === 1 && mode !== 'seed') this.#adopt({ tokens: next, v }, 'own');
    return written === 1;
  }

  /** The version we hold `tokens` at, if they are what we know (-1 otherwise): lets a write pass a Redis that forgot or went back in time. */
  #floorFor(tokens: TokenSet | null): number {
    return this.#known && sameTokens(this.#known.tokens, tokens) ? this.#known.v : -1;
  }

  async get(): Promise<TokenSet | null> {
    const subscription = this.#subscribe();
    if (this.#owed) {
      void this.#flush();
      return copy(this.#owed?.next ?? null); // newer than anything Redis holds: ours, not written yet
    }
    // A cached "no tokens" is not trusted: tokens stored a moment ago elsewhere may still be on their way here.
    if (this.#fresh && subscription.live && this.#known?.tokens) return copy(this.#known.tokens);
    // Redis is gone: keep working with what this process already has, without waiting on it.
    if (!this.#connected() && this.#known) return copy(this.#known.tokens);
    const liveAt = subscription.live ? subscription.epoch : -1;
    const firstRead = !this.#known;
    let stored = await this.#read();
    if (stored === undefined) return copy(this.#known!.tokens);
    if (stored.kind === 'absent' && firstRead) stored = await this.#askOthers(stored);
    const { tokens, settled } = await this.#reconcile(stored);
    // Trusted from now on only if the subscription was live for the whole read (otherwise a change
    // made in between may never be heard of) and no restore is still owed.
    if (settled && liveAt !== -1 && subscription.live && subscription.epoch === liveAt) this.#fresh = true;
    return tokens;
  }

  /** The key as Redis holds it; `undefined` when Redis does not answer but we hold tokens to go on with. */
  async #read(): Promise<Stored | undefined> {
    try {
      return decodeStored(await this.#run('GET', () => this.#options.redis.get(this.#names.key)));
    } catch (error) {
      if (this.#known) return undefined;
      throw error;
    }
  }

  /**
   * No key, and this process never knew tokens: Redis may have forgotten them (evicted, `DEL`,
   * `FLUSHALL`) while the processes that hold them serve from memory. Ask on the channel; those
   * that hold tokens write them back (conditionally: the newest wins). When anyone else listens,
   * reads again as news comes, for a bounded time; resolves with what Redis holds then.
   */
  async #askOthers(absent: Stored): Promise<Stored> {
    let mark = this.#news.mark();
    const message = `{"k":${JSON.stringify(this.#names.fullKey)},"db":${this.#names.db},"from":"${this.#id}","want":true}`;
    const listeners = Number(await this.#run('PUBLISH', () => this.#options.redis.publish(this.#names.channel, message)).catch(() => 0));
    if (listeners - (this.#subscription?.live ? 1 : 0) <= 0) return absent; // nobody else to answer
    const giveUpAt = Date.now() + Math.min(this.#options.operationTimeoutMs, 1_000);
    while (Date.now() < giveUpAt) {
      await this.#news.wait(giveUpAt - Date.now(), mark);
      mark = this.#news.mark();
      const stored = await this.#read();
      if (stored && stored.kind !== 'absent') return stored;
    }
    return absent;
  }

  async set(tokens: TokenSet | null): Promise<void> {
    this.#subscribe();
    this.#owed = undefined; // the caller's own tokens replace a refresh result not written yet
    await this.#write('set', null, tokens, this.#known?.v ?? 0);
  }

  /**
   * Stores `next` only if Redis still holds `expected` (same access and refresh token; `null`:
   * nothing stored), atomically across processes; resolves whether it wrote. New tokens Redis cannot
   * take right now (it is away) are kept in this process, served by `get()`, and written once Redis
   * is back — conditionally still, so tokens written elsewhere meanwhile win.
   */
  async compareAndSet(expected: TokenSet | null, next: TokenSet | null): Promise<boolean> {
    this.#subscribe();
    if (next === null && expected && this.#heldBlind > 0 && (await this.#newerWithin(expected, this.#heldLeaseMs))) return false;
    if (this.#owed) await this.#flush();
    const owed = this.#owed;
    if (owed) {
      // Redis is still away: compare with the newest tokens, which only this process holds.
      if (!sameTokens(owed.next, expected)) return false;
      this.#owed = { ...owed, next: copy(next) };
      return true;
    }
    const floor = this.#floorFor(expected);
    let written: boolean;
    try {
      written = await this.#write('cas', expected, next, floor);
    } catch (error) {
      // A refresh result is never thrown away because Redis is unreachable: with rotating refresh
      // tokens it is the only copy of the new refresh token (docs/scaling.md, "a refresh result is never lost").
      if (next === null || !isTokenRefreshError(error) || this.#closed) throw error;
      this.#owed = { expected: copy(expected), next: copy(next), floor };
      return true;
    }
    if (!written) this.#fresh = false; // someone else wrote: read it from Redis next time
    return written;
  }

  /**
   * A session end (a rejected refresh) under a lock taken on a Redis that had forgotten the last
   * lease: another process may have been refreshing unheard of, its result may still land. Re-reads,
   * as news comes, for at most `ms` (that lease's longest life); resolves whether Redis came to hold
   * other tokens than `presented` — then the session goes on with them (docs/scaling.md).
   */
  async #newerWithin(presented: TokenSet, ms: number): Promise<boolean> {
    const giveUpAt = Date.now() + ms;
    for (;;) {
      const mark = this.#news.mark();
      this.#fresh = false;
      if (!sameTokens(await this.get().catch(() => presented), presented)) return true;
      if (Date.now() >= giveUpAt) return false;
      await this.#news.wait(giveUpAt - Date.now(), mark);
    }
  }

  /** Writes what Redis could not take earlier; a failure leaves it owed (Redis still away). One at a time. */
  #flush(): Promise<void> {
    // `.finally` runs after the assignment, even when there is nothing to write.
    this.#flushing ??= this.#flushOnce().finally(() => {
      this.#flushing = undefined;
      this.#news.publish();
    });
    return this.#flushing;
  }

  async #flushOnce(): Promise<void> {
    const owed = this.#owed;
    if (!owed) return;
    try {
      const written = await this.#write('cas', owed.expected, owed.next, owed.floor);
      if (this.#owed === owed) this.#owed = undefined;
      // Not written: our write landed already (a command replayed by the client), or Redis holds
      // newer tokens from elsewhere. The next read takes what Redis holds, either way.
      if (!written) this.#fresh = false;
    } catch {
      // still away: owed stays
    }
  }

  /** Resolves once nothing is owed any more, or after `ms` (Redis still away). */
  async #settle(ms: number): Promise<void> {
    const giveUpAt = Date.now() + ms;
    while (this.#owed && Date.now() < giveUpAt) {
      const mark = this.#news.mark();
      await this.#flush();
      if (this.#owed) await this.#news.wait(Math.min(giveUpAt - Date.now(), Math.max(30, Math.floor(this.#options.lockTtlMs / 3))), mark);
    }
  }

  /**
   * Reports changes made by other processes: their tokens, or `null` when they cleared the store.
   * Never this object's own writes; never a Redis that merely forgot the key. Returns `unsubscribe`.
   */
  subscribe(listener: (tokens: TokenSet | null) => void): () => void {
    if (this.#closed) return () => {};
    this.#listeners.add(listener);
    this.#subscribe();
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /**
   * One send from the rate budget `key` that every process on this store shares (docs/scaling.md,
   * "One rate budget"): the plugin asks before each send when `rateLimit` is set. One Lua script,
   * atomic across processes, on Redis' clock: `{ waitMs: 0 }` when fewer than `limit` sends were
   * recorded in the last `windowMs` (this one is recorded), else the ms until enough leave; and how
   * many store objects asked in that window (`sharers`). A granted send's `answered()` makes it
   * count from its answer rather than from its grant, as the in-process budget counts. Rejects with {@link TokenRefreshError}
   * when Redis is unreachable (at once while the client reconnects; else within
   * `operationTimeoutMs`): the plugin then sends within this process's share of the limit.
   */
  async takeBudget(request: RateBudgetRequest): Promise<RateBudgetAnswer> {
    this.#assertOpen();
    const { key, limit, windowMs } = request ?? {};
    if (typeof key !== 'string' || !Number.isInteger(limit) || limit < 1 || !(windowMs > 0) || windowMs === Number.POSITIVE_INFINITY) {
      throw new TypeError('Expected a rate budget request { key: string, limit: integer ≥ 1, windowMs: finite number > 0 }');
    }
    const { redis } = this.#options;
    if (redis.status === 'reconnecting' || redis.status === 'close' || redis.status === 'end') {
      throw new TokenRefreshError('The Redis token store is unavailable (rate budget)');
    }
    const [sends, sharers] = budgetKeys(this.#names.key, key);
    const member = `${this.#id}:${++this.#budgetAsks}`;
    const window = Math.ceil(windowMs);
    const [waitMs, count] = (await this.#run('rate budget', () =>
      redis.eval(TAKE_BUDGET, 2, sends, sharers, limit, window, member, this.#id),
    )) as [number, number];
    if (waitMs !== 0) return { waitMs, sharers: count };
    // Redis lost by then: the send counts from its grant there, and in this process until a window after its answer.
    const answered = () => void this.#run('rate budget', () => redis.eval(ANSWERED, 1, sends, member, window)).catch(() => {});
    return { waitMs, sharers: count, answered };
  }

  /**
   * Runs `fn` holding the refresh lock, one process at a time (docs/scaling.md, "a lease lock").
   * `options.refreshTimeoutMs` (the plugin passes its own) is how long `fn`'s refresh may wait for
   * its answer: a holder that stops renewing is taken over only once that has passed too.
   */
  async lock<T>(fn: () => Promise<T>, options?: LockOptions): Promise<T> {
    if (this.#draining) throw this.#closedError();
    this.#subscribe();
    const given = options?.refreshTimeoutMs;
    const refreshTimeoutMs = typeof given === 'number' && Number.isFinite(given) && given > 0 ? given : DEFAULT_REFRESH_TIMEOUT_MS;
    const fullKey = JSON.stringify(this.#names.fullKey);
    const deps = {
      options: this.#options,
      names: this.#names,
      leaseHead: `{"k":${fullKey},"db":${this.#names.db},"from":"${this.#id}","lease":`,
      releasedMessage: (owner: string) => `{"k":${fullKey},"db":${this.#names.db},"from":"${this.#id}","released":true,"o":"${owner}"}`,
      news: this.#news,
      othersLeaseMs: (owner: string) => this.#leases.othersMs(owner),
      heard: (owner: string, ms: number) => this.#leases.heard(owner, ms),
      run: <R>(what: string, command: () => Promise<R>) => this.#run(what, command),
      assertOpen: () => {
        if (this.#draining || this.#closed) throw this.#closedError();
      },
      owed: () => (this.#owed ? this.#settle(this.#options.lockWaitMs) : undefined),
      held: (change: 1 | -1, blind: boolean) => this.#holding(change, this.#options.lockTtlMs + refreshTimeoutMs, blind),
    };
    return withRedisLease(deps, refreshTimeoutMs, () => {
      // The double-check inside `fn` must see what Redis holds now, not a cached value.
      this.#fresh = false;
      return fn();
    });
  }

  #holding(change: 1 | -1, leaseMs: number, blind: boolean): void {
    this.#held += change;
    if (blind) this.#heldBlind += change;
    this.#heldLeaseMs = this.#held === 0 ? 0 : Math.max(this.#heldLeaseMs, leaseMs);
    if (change < 0) this.#news.publish(); // close() may be waiting for it
  }

  /**
   * Closes the store: no new lock from now on, and a lock waiter rejects at once; a refresh already
   * running under this store's lock finishes — its result written to Redis, the lock released — for
   * at most its lease (`lockTtlMs` plus its refresh deadline). Then the subscriber connection closes
   * (the client you passed stays open: it is yours), every operation rejects with TokenRefreshError
   * and nothing is opened again. `await` it before closing your Redis client.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutDown();
    return this.#closing;
  }

  async #shutDown(): Promise<void> {
    this.#draining = true;
    this.#news.publish(); // lock waiters wake and reject
    const giveUpAt = Date.now() + this.#heldLeaseMs + this.#options.operationTimeoutMs;
    while (this.#held > 0 && Date.now() < giveUpAt) {
      const mark = this.#news.mark();
      if (this.#held > 0) await this.#news.wait(giveUpAt - Date.now(), mark);
    }
    this.#closed = true;
    this.#fresh = false;
    this.#listeners.clear();
    this.#subscription?.close();
    this.#news.publish();
  }

  /** Keeps tokens out of `console.log` / `util.inspect` output. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `RedisTokenStore { key: ${JSON.stringify(this.#options.key)} }`;
  }

  toJSON(): object {
    return { key: this.#options.key };
  }
}
