import { randomBytes } from 'node:crypto';
import { withDeadline } from '../util/timers';
import { TokenRefreshError } from '../errors/token-refresh-error';
import type { TokenSet, TokenStore } from '../types';
import { News } from '../stores/news';
import { sameTokens } from '../stores/same-tokens';
import { decodeMessage, decodeStored, encodeTokens, type Stored } from './codec';
import { withRedisLease } from './lease';
import { storeNames, type StoreNames } from './names';
import { resolveRedisOptions, type RedisTokenStoreOptions, type ResolvedRedisOptions } from './options';
import { WRITE } from './scripts';
import { openSubscription, type Subscription } from './subscription';

export type { RedisClientLike, RedisSubscriberLike, RedisTokenStoreOptions } from './options';

type Listener = (tokens: TokenSet | null) => void;
/** The newest tokens this process knows of (`null`: cleared), at the version Redis gave them. */
interface Known {
  tokens: TokenSet | null;
  v: number;
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
 *   (a refresh, a first read) fails with {@link TokenRefreshError} within `operationTimeoutMs`.
 *
 * @example
 * ```ts
 * import Redis from 'ioredis';
 * import { createNextSchoolClient } from 'axios-graphql-refresh';
 * import { RedisTokenStore } from 'axios-graphql-refresh/redis';
 *
 * const tokens = new RedisTokenStore({ redis: new Redis(process.env.REDIS_URL) });
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
  #closed = false;
  /** A restore of the newest tokens in flight (Redis restarted or went back to an older snapshot). */
  #seeding: Promise<boolean> | undefined;
  readonly #listeners = new Set<Listener>();
  /** Messages heard (tokens stored, lock released), a resubscription, close(): what lock waiters wake on. */
  readonly #news = new News();

  constructor(options: RedisTokenStoreOptions) {
    this.#options = resolveRedisOptions(options);
    this.#names = storeNames(this.#options.redis, this.#options.key);
    this.#head = `{"k":${JSON.stringify(this.#names.fullKey)},"db":${this.#names.db},"from":"${this.#id}","v":`;
  }

  #closedError(): TokenRefreshError {
    return new TokenRefreshError('The Redis token store is closed: create a new RedisTokenStore');
  }

  #assertOpen(): void {
    if (this.#closed) throw this.#closedError();
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
    this.#subscription ??= openSubscription(this.#options.redis, this.#names.channel, {
      message: (raw) => this.#onMessage(raw),
      lost: () => {
        this.#fresh = false; // messages may be missed while disconnected
      },
      confirmed: () => {
        // Changes made while we were not listening were missed, and Redis may have restarted:
        // compare with what Redis holds now (reports a missed change, restores a lost key), and
        // let lock waiters try again (a release may have been missed).
        this.get().catch(() => {});
        this.#news.publish();
      },
    });
    return this.#subscription;
  }

  #onMessage(raw: string): void {
    const message = decodeMessage(raw);
    // Only our key in our database: a shared server carries other deployments' messages.
    if (!message || message.k !== this.#names.fullKey || message.db !== this.#names.db) return;
    // Our own writes are known already; a lock we released still wakes our other waiters.
    if (message.from !== this.#id && typeof message.v === 'number' && message.t !== undefined) {
      this.#adopt({ tokens: message.t, v: message.v }, 'message');
    }
    this.#news.publish();
  }

  /** Takes `next` if it is newer than what we know; tells the listeners when it came from elsewhere. */
  #adopt(next: Known, source: 'own' | 'read' | 'message'): boolean {
    const before = this.#known;
    // Equal versions with other tokens only come from writers without versions (0.1.0): take theirs.
    if (before && (next.v < before.v || (next.v === before.v && sameTokens(before.tokens, next.tokens)))) return false;
    this.#known = { tokens: copy(next.tokens), v: next.v };
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
    this.#seeding ??= (async () => {
      try {
        const known = this.#known;
        if (known) await this.#write('seed', null, known.tokens, known.v);
        return true;
      } catch {
        return false; // Redis is unreachable again: the next read tries again
      } finally {
        this.#seeding = undefined;
      }
    })();
    return this.#seeding;
  }

  /** One write script call (see scripts.ts); records what it wrote as the newest known. */
  async #write(mode: 'set' | 'cas' | 'seed', expected: TokenSet | null, next: TokenSet | null, floor: number): Promise<boolean> {
    const { redis } = this.#options;
    if (next !== null && (typeof next !== 'object' || typeof next.accessToken !== 'string' || next.accessToken === '')) {
      throw new TypeError('Expected `tokens` to be null or an object with a non-empty `accessToken`');
    }
    const args = [mode, expected?.accessToken ?? '', expected?.refreshToken ?? '', expected?.refreshToken === undefined ? '0' : '1', floor, encodeTokens(next), this.#names.channel, this.#head];
    const [written, v] = (await this.#run(mode === 'cas' ? 'compare-and-set' : 'SET', () => redis.eval(WRITE, 1, this.#names.key, ...args))) as [number, number];
    if (written === 1 && mode !== 'seed') this.#adopt({ tokens: next, v }, 'own');
    return written === 1;
  }

  /** The version we hold `tokens` at, if they are what we know (-1 otherwise): lets a write pass a Redis that forgot or went back in time. */
  #floorFor(tokens: TokenSet | null): number {
    return this.#known && sameTokens(this.#known.tokens, tokens) ? this.#known.v : -1;
  }

  async get(): Promise<TokenSet | null> {
    const subscription = this.#subscribe();
    if (this.#fresh && subscription.live && this.#known) return copy(this.#known.tokens);
    // Redis is gone: keep working with what this process already has, without waiting on it.
    if (!this.#connected() && this.#known) return copy(this.#known.tokens);
    const liveAt = subscription.live ? subscription.epoch : -1;
    let stored: Stored;
    try {
      stored = decodeStored(await this.#run('GET', () => this.#options.redis.get(this.#names.key)));
    } catch (error) {
      if (this.#known) return copy(this.#known.tokens);
      throw error;
    }
    const { tokens, settled } = await this.#reconcile(stored);
    // Trusted from now on only if the subscription was live for the whole read (otherwise a change
    // made in between may never be heard of: issue 10, failure 5) and no restore is still owed.
    if (settled && liveAt !== -1 && subscription.live && subscription.epoch === liveAt) this.#fresh = true;
    return tokens;
  }

  async set(tokens: TokenSet | null): Promise<void> {
    this.#subscribe();
    await this.#write('set', null, tokens, this.#known?.v ?? 0);
  }

  /**
   * Stores `next` only if Redis still holds `expected` (same access and refresh token; `null`:
   * nothing stored), atomically across processes; resolves whether it wrote.
   */
  async compareAndSet(expected: TokenSet | null, next: TokenSet | null): Promise<boolean> {
    this.#subscribe();
    const written = await this.#write('cas', expected, next, this.#floorFor(expected));
    if (!written) this.#fresh = false; // someone else wrote: read it from Redis next time
    return written;
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

  async lock<T>(fn: () => Promise<T>): Promise<T> {
    this.#subscribe();
    const deps = {
      options: this.#options,
      lockKey: this.#names.lock,
      channel: this.#names.channel,
      releasedMessage: `{"k":${JSON.stringify(this.#names.fullKey)},"db":${this.#names.db},"from":"${this.#id}","released":true}`,
      news: this.#news,
      run: <R>(what: string, command: () => Promise<R>) => this.#run(what, command),
      assertOpen: () => this.#assertOpen(),
    };
    return withRedisLease(deps, () => {
      // The double-check inside `fn` must see what Redis holds now, not a cached value.
      this.#fresh = false;
      return fn();
    });
  }

  /**
   * Closes the subscriber connection (the client you passed stays open: it is yours). From then on
   * every operation rejects with TokenRefreshError and nothing is opened again.
   */
  close(): void {
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
