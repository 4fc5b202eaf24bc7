import { randomBytes } from 'node:crypto';
import { withDeadline } from '../util/timers';
import { TokenRefreshError } from '../errors/token-refresh-error';
import type { TokenSet, TokenStore } from '../types';

/**
 * The part of an ioredis client (5.x or 6.x) the store uses. Structural, so this package's types do
 * not depend on ioredis being installed.
 *
 * @example
 * ```ts
 * const redis: RedisClientLike = new Redis(process.env.REDIS_URL);
 * ```
 */
export interface RedisClientLike {
  readonly status?: string;
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<unknown>;
  set(key: string, value: string, px: 'PX', milliseconds: number, nx: 'NX'): Promise<unknown>;
  del(key: string): Promise<unknown>;
  pttl(key: string): Promise<number>;
  eval(script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
  publish(channel: string, message: string): Promise<unknown>;
  duplicate(): RedisSubscriberLike;
}

/**
 * The subscriber connection made by `duplicate()`.
 *
 * @example
 * ```ts
 * const subscriber: RedisSubscriberLike = redis.duplicate();
 * ```
 */
export interface RedisSubscriberLike {
  readonly status?: string;
  subscribe(channel: string): Promise<unknown>;
  on(event: string, listener: (...args: any[]) => void): unknown;
  disconnect(): void;
}

/**
 * Options of {@link RedisTokenStore}.
 *
 * @example
 * ```ts
 * new RedisTokenStore({ redis: new Redis(process.env.REDIS_URL), key: 'nextschool:tokens', lockTtlMs: 15_000 });
 * ```
 */
export interface RedisTokenStoreOptions {
  /** An ioredis client (5.x or 6.x). The store also opens one subscriber connection with `duplicate()`. */
  redis: RedisClientLike;
  /** The key holding the tokens as JSON; the lock and the channel derive from it. @default 'axios-graphql-refresh:tokens' */
  key?: string;
  /** Lease of the refresh lock: renewed while the refresh runs, expires if its holder dies. @default 10_000 */
  lockTtlMs?: number;
  /** How long a process waits for another process's refresh before giving up with TokenRefreshError. @default 2 × lockTtlMs */
  lockWaitMs?: number;
  /** Deadline of one Redis command; Redis that does not answer fails fast instead of hanging. @default 2_000 */
  operationTimeoutMs?: number;
}

// Lua: act on the lock only if we still own it (a lease that expired may belong to someone else now).
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
const RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";

const TOKENS = 't:';
const RELEASED = 'r';

function parse(raw: string | null | undefined): TokenSet | null {
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as TokenSet;
    return value && typeof value.accessToken === 'string' ? value : null;
  } catch {
    return null;
  }
}

/**
 * Tokens shared by every process that uses the same Redis key, with one refresh across all of them.
 *
 * - Tokens live in one key as JSON.
 * - `lock(fn)` is a lease: `SET NX PX` with a random owner, renewed while `fn` runs, released by a
 *   compare-and-delete script, expiring by itself if its holder dies. The plugin uses it
 *   double-checked: lock, re-read, refresh only if the stored token is still the one that failed.
 * - Other processes learn of new tokens through pub/sub, without polling: each keeps the last tokens
 *   it saw and replaces them when a message arrives; processes waiting for the lock wake up on it.
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
  readonly #redis: RedisClientLike;
  readonly #key: string;
  readonly #lockKey: string;
  readonly #channel: string;
  readonly #lockTtlMs: number;
  readonly #lockWaitMs: number;
  readonly #timeoutMs: number;
  /** The tokens as pub/sub last told us; trusted only while the subscription is live. */
  #cache: TokenSet | null | undefined;
  /** The last tokens this process saw, whatever the connection: the fallback when Redis is gone. */
  #lastKnown: TokenSet | null | undefined;
  #subscriber: RedisSubscriberLike | undefined;
  #live = false;
  readonly #wakers = new Set<() => void>();

  constructor(options: RedisTokenStoreOptions) {
    if (!options || typeof options.redis?.get !== 'function' || typeof options.redis?.duplicate !== 'function') {
      throw new TypeError('Expected `options.redis` to be an ioredis client');
    }
    const { key = 'axios-graphql-refresh:tokens', lockTtlMs = 10_000 } = options;
    if (typeof key !== 'string' || key === '') throw new TypeError(`Expected \`key\` to be a non-empty string, got \`${typeof key}\``);
    if (!(Number.isFinite(lockTtlMs) && lockTtlMs >= 100)) throw new TypeError(`Expected \`lockTtlMs\` to be a number ≥ 100, got \`${String(lockTtlMs)}\``);
    this.#redis = options.redis;
    this.#key = key;
    this.#lockKey = `${key}:lock`;
    this.#channel = `${key}:events`;
    this.#lockTtlMs = lockTtlMs;
    this.#lockWaitMs = options.lockWaitMs ?? 2 * lockTtlMs;
    this.#timeoutMs = options.operationTimeoutMs ?? 2_000;
  }

  /** Runs a Redis command with a deadline: a Redis that does not answer must not hang a request. */
  #run<T>(what: string, command: () => Promise<T>): Promise<T> {
    return withDeadline(this.#timeoutMs, `Redis ${what}`, command).catch((error: unknown) => {
      // ioredis errors may carry the command and its arguments (the tokens): keep name and message only.
      const cause = Object.assign(new Error(error instanceof Error ? error.message : String(error)), {
        name: error instanceof Error ? error.name : 'Error',
      });
      throw new TokenRefreshError(`The Redis token store is unavailable (${what})`, { cause });
    });
  }

  #connected(): boolean {
    const status = this.#redis.status;
    return status === undefined || status === 'ready' || status === 'wait';
  }

  /** Subscribes once, lazily. While subscribed, the cached tokens are kept current by messages. */
  #subscribe(): void {
    if (this.#subscriber) return;
    const subscriber = this.#redis.duplicate();
    this.#subscriber = subscriber;
    const lost = () => {
      this.#live = false;
      this.#cache = undefined; // messages may be missed while disconnected
    };
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.#channel) return;
      if (message.startsWith(TOKENS)) this.#cache = this.#lastKnown = parse(message.slice(TOKENS.length));
      for (const wake of [...this.#wakers]) wake();
    });
    subscriber.on('close', lost);
    subscriber.on('end', lost);
    subscriber.on('error', () => {}); // reported through 'close'; an unhandled 'error' would crash the process
    subscriber.on('ready', () => {
      // ioredis subscribes again after a reconnect; until then, read from Redis.
      subscriber.subscribe(this.#channel).then(() => (this.#live = true), lost);
    });
    subscriber.subscribe(this.#channel).then(() => (this.#live = true), lost);
  }

  async get(): Promise<TokenSet | null> {
    this.#subscribe();
    const copy = (t: TokenSet | null) => t && { ...t };
    if (this.#live && this.#cache !== undefined) return copy(this.#cache);
    // Redis is gone: keep working with what this process already has, without waiting on it.
    if (!this.#connected() && this.#lastKnown !== undefined) return copy(this.#lastKnown);
    try {
      const tokens = parse(await this.#run('GET', () => this.#redis.get(this.#key)));
      this.#cache = this.#lastKnown = tokens;
      return copy(tokens);
    } catch (error) {
      if (this.#lastKnown !== undefined) return copy(this.#lastKnown);
      throw error;
    }
  }

  async set(tokens: TokenSet | null): Promise<void> {
    this.#subscribe();
    const json = tokens ? JSON.stringify(tokens) : '';
    await this.#run('SET', () => (tokens ? this.#redis.set(this.#key, json) : this.#redis.del(this.#key)));
    this.#cache = this.#lastKnown = tokens ? { ...tokens } : null;
    await this.#run('PUBLISH', () => this.#redis.publish(this.#channel, TOKENS + json)).catch(() => {});
  }

  /** Waits for a message on the channel (tokens stored, lock released), at most `ms`. */
  #waitForNews(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wakers.add(done);
    });
  }

  async lock<T>(fn: () => Promise<T>): Promise<T> {
    this.#subscribe();
    const owner = randomBytes(16).toString('hex');
    const giveUpAt = Date.now() + this.#lockWaitMs;
    for (;;) {
      const acquired = await this.#run('SET NX', () => this.#redis.set(this.#lockKey, owner, 'PX', this.#lockTtlMs, 'NX'));
      if (acquired === 'OK') break;
      const left = giveUpAt - Date.now();
      if (left <= 0) throw new TokenRefreshError('Timed out waiting for another process to finish refreshing the tokens');
      // Woken by the holder's release or new tokens; otherwise when its lease would have expired.
      const ttl = await this.#run('PTTL', () => this.#redis.pttl(this.#lockKey));
      await this.#waitForNews(Math.max(10, Math.min(left, ttl > 0 ? ttl : 10)));
    }
    // The double-check inside `fn` must see what Redis holds now, not a cached value.
    this.#cache = undefined;
    const renewal = setInterval(() => {
      this.#redis.eval(RENEW, 1, this.#lockKey, owner, this.#lockTtlMs).catch(() => {});
    }, Math.max(50, Math.floor(this.#lockTtlMs / 3)));
    (renewal as { unref?: () => void }).unref?.();
    try {
      return await fn();
    } finally {
      clearInterval(renewal);
      await this.#run('release', () => this.#redis.eval(RELEASE, 1, this.#lockKey, owner)).catch(() => {});
      await this.#run('PUBLISH', () => this.#redis.publish(this.#channel, RELEASED)).catch(() => {});
    }
  }

  /** Closes the subscriber connection (the client you passed stays open: it is yours). */
  close(): void {
    this.#live = false;
    this.#subscriber?.disconnect();
    this.#subscriber = undefined;
    for (const wake of [...this.#wakers]) wake();
  }

  /** Keeps tokens out of `console.log` / `util.inspect` output. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `RedisTokenStore { key: ${JSON.stringify(this.#key)} }`;
  }

  toJSON(): object {
    return { key: this.#key };
  }
}
