import { randomBytes } from 'node:crypto';
import { TokenRefreshError } from '../errors/token-refresh-error';
import { type LeaseBackend, withLease } from '../stores/lease';
import type { News } from '../stores/news';
import type { StoreNames } from './names';
import type { ResolvedRedisOptions } from './options';
import { ACQUIRE, RELEASE, RENEW } from './scripts';

// The refresh lock in Redis (scripts.ts): a lease renewed while its holder works, released by
// compare-and-delete, running out by itself if its holder dies — but only once the holder's refresh
// deadline has passed too. The waiting loop is the one both stores share (lib/stores/lease.ts).

/** What a refresh under the lock may take when the caller does not say: the plugin's default `refreshTimeoutMs`. */
export const DEFAULT_REFRESH_TIMEOUT_MS = 15_000;

export interface RedisLeaseDeps {
  options: ResolvedRedisOptions;
  names: StoreNames;
  /** JSON up to `"lease":` / the release message of an owner. */
  leaseHead: string;
  releasedMessage(owner: string): string;
  news: News;
  /** How long (ms) leases of others that this process heard of, and not their end, may still run. */
  othersLeaseMs(owner: string): number;
  /** A lease found in Redis: remembered, in case Redis forgets it (restart, FLUSHALL). */
  heard(owner: string, ms: number): void;
  /** Runs one command with the store's deadline; failures become TokenRefreshError. */
  run<T>(what: string, command: () => Promise<T>): Promise<T>;
  assertOpen(): void;
  /** A write this holder still owes (storage was away): resolves once it landed or was given up. */
  owed(): Promise<void> | undefined;
  /** A lock of this process taken (1) or let go (-1); `blind`: taken on a Redis with no record of the last lease. */
  held(change: 1 | -1, blind: boolean): void;
}

function redisLease(deps: RedisLeaseDeps, px: number): LeaseBackend {
  const { redis } = deps.options;
  const keys = [deps.names.lock, deps.names.lease] as const;
  const release = (owner: string) => redis.eval(RELEASE, 2, ...keys, owner, deps.names.channel, deps.releasedMessage(owner));
  const acquire = (owner: string) => redis.eval(ACQUIRE, 2, ...keys, owner, px, deps.names.channel, deps.leaseHead);
  let redisKnewTheLastLease = true;
  return {
    async take(owner) {
      const [taken, value, holder] = (await deps.run('lock', () => acquire(owner))) as [number, number, string?];
      if (taken !== 1) {
        if (typeof holder === 'string' && value > 0) deps.heard(holder, value);
        return { taken: false, retryInMs: value > 0 ? value : 10 };
      }
      redisKnewTheLastLease = value === 1;
      deps.held(1, !redisKnewTheLastLease);
      return { taken: true };
    },
    // Redis without a record of the last lease forgot it (restarted empty, FLUSHALL): a lease this
    // process heard of may still run, its holder may still store a result — hold off until it ends.
    holdOffMs: (owner) => (redisKnewTheLastLease ? 0 : deps.othersLeaseMs(owner)),
    renew: (owner) => redis.eval(RENEW, 2, ...keys, owner, px, deps.names.channel, deps.leaseHead),
    async release(owner) {
      try {
        await deps.run('release', () => release(owner));
      } finally {
        deps.held(-1, !redisKnewTheLastLease);
      }
    },
    owed: deps.owed,
    // An acquisition that failed client-side (its deadline passed while Redis stalled, the connection
    // dropped) may still be applied when Redis answers: the script is queued on the connection. The
    // release sent after it on the same connection runs after it, so a lock nobody would release is
    // released at once.
    abandon: (owner) => void release(owner).catch(() => {}),
  };
}

/** Runs `fn` under the Redis lock; `refreshTimeoutMs` is how long `fn`'s refresh may wait for its answer. */
export function withRedisLease<T>(deps: RedisLeaseDeps, refreshTimeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const { lockTtlMs, lockWaitMs } = deps.options;
  return withLease(
    {
      backend: redisLease(deps, lockTtlMs + Math.ceil(refreshTimeoutMs)),
      news: deps.news,
      owner: randomBytes(16).toString('hex'),
      renewEveryMs: Math.max(30, Math.floor(lockTtlMs / 3)),
      waitMs: lockWaitMs,
      // A waiter woken by its resubscription may try before the client's own connection is back.
      failuresWhileWaiting: 2,
      retryAfterFailureMs: Math.min(250, deps.options.operationTimeoutMs),
      timedOut: () => new TokenRefreshError('Timed out waiting for another process to finish refreshing the tokens'),
      assertOpen: deps.assertOpen,
    },
    fn,
  );
}
