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
  /** ioredis' options: `db` and `keyPrefix` name the deployment in the pub/sub channel. */
  readonly options?: { db?: number; keyPrefix?: string };
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<unknown>;
  set(key: string, value: string, px: 'PX', milliseconds: number, nx: 'NX'): Promise<unknown>;
  del(key: string): Promise<unknown>;
  pttl(key: string): Promise<number>;
  eval(script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
  publish(channel: string, message: string): Promise<unknown>;
  /** ioredis' `duplicate(override)`; the store turns the subscriber's own resubscribing off (subscription.ts). */
  duplicate(override?: { autoResubscribe?: boolean }): RedisSubscriberLike;
  /** `CONFIG GET`, to warn when the server may evict the store's keys (optional). */
  config?(action: 'GET', pattern: string): Promise<unknown>;
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
  // biome-ignore lint/suspicious/noExplicitAny: ioredis' own listener type; a narrower one would not accept its client
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
  /**
   * The key holding the tokens as JSON; the lock (`{key}:lock`) and the channel derive from it.
   * It may not contain `{` or `}`, so that no store's key can ever be another store's lock.
   * @default 'axios-graphql-refresh:tokens'
   */
  key?: string;
  /**
   * Lease of the refresh lock, in whole milliseconds: renewed every third of it while the refresh
   * runs. A holder that stops renewing (dead, frozen) is taken over this long plus its refresh
   * deadline after its last renewal. @default 10_000
   */
  lockTtlMs?: number;
  /**
   * The longest a process waits for another process's refresh before failing with
   * TokenRefreshError. A holder that dies stops renewing its lease, so a waiter takes over after
   * `lockTtlMs` plus the holder's refresh deadline anyway; this only bounds waiting on a live holder.
   * @default 60_000
   */
  lockWaitMs?: number;
  /** Deadline of one Redis command; Redis that does not answer fails fast instead of hanging. @default 2_000 */
  operationTimeoutMs?: number;
}

export interface ResolvedRedisOptions {
  redis: RedisClientLike;
  key: string;
  lockTtlMs: number;
  lockWaitMs: number;
  operationTimeoutMs: number;
}

const DEFAULTS = { key: 'axios-graphql-refresh:tokens', lockTtlMs: 10_000, lockWaitMs: 60_000, operationTimeoutMs: 2_000 };

const show = (value: unknown) =>
  typeof value === 'string'
    ? value
    : typeof value === 'number' || value === null || value === undefined || typeof value === 'boolean'
      ? String(value)
      : typeof value;

function number(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new TypeError(`Expected \`${name}\` to be a finite number ≥ ${min}, got \`${show(value)}\``);
  }
  return value;
}

/** Options Redis itself receives (`PX`) must be whole milliseconds: Redis refuses `PX 3300.0000000000005`. */
function integer(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new TypeError(`Expected \`${name}\` to be an integer ≥ ${min}, got \`${show(value)}\``);
  }
  return value;
}

/** Validates at construction (one message shape, as the plugin's own options): `undefined` keeps the default. */
export function resolveRedisOptions(options: RedisTokenStoreOptions): ResolvedRedisOptions {
  const redis = options?.redis;
  for (const method of ['get', 'set', 'eval', 'pttl', 'duplicate'] as const) {
    if (typeof redis?.[method] !== 'function') throw new TypeError(`Expected \`redis\` to be an ioredis client, got \`${show(redis)}\``);
  }
  const key = options.key ?? DEFAULTS.key;
  if (typeof key !== 'string' || key === '' || /[{}]/.test(key)) {
    throw new TypeError(`Expected \`key\` to be a non-empty string without \`{\` or \`}\`, got \`${show(key)}\``);
  }
  const lockTtlMs = integer('lockTtlMs', options.lockTtlMs ?? DEFAULTS.lockTtlMs, 100);
  return {
    redis,
    key,
    lockTtlMs,
    lockWaitMs: number('lockWaitMs', options.lockWaitMs ?? DEFAULTS.lockWaitMs, 0),
    operationTimeoutMs: number('operationTimeoutMs', options.operationTimeoutMs ?? DEFAULTS.operationTimeoutMs, 1),
  };
}
