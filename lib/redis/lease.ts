import { randomBytes } from 'node:crypto';
import { TokenRefreshError } from '../errors/token-refresh-error';
import type { News } from '../stores/news';
import { withLease, type LeaseBackend } from '../stores/lease';
import type { ResolvedRedisOptions } from './options';
import { RELEASE, RENEW } from './scripts';

// The refresh lock in Redis: a lease (`SET NX PX` with a random owner), renewed while its holder
// works, released by compare-and-delete, expiring by itself if its holder dies (docs/scaling.md).
// The waiting loop is the one both stores share (lib/stores/lease.ts).

export interface RedisLeaseDeps {
  options: ResolvedRedisOptions;
  lockKey: string;
  channel: string;
  releasedMessage: string;
  news: News;
  /** Runs one command with the store's deadline; failures become TokenRefreshError. */
  run<T>(what: string, command: () => Promise<T>): Promise<T>;
  assertOpen(): void;
}

function redisLease(deps: RedisLeaseDeps): LeaseBackend {
  const { redis, lockTtlMs } = deps.options;
  const release = (owner: string) => redis.eval(RELEASE, 1, deps.lockKey, owner, deps.channel, deps.releasedMessage);
  return {
    async take(owner) {
      const acquired = await deps.run('SET NX', () => redis.set(deps.lockKey, owner, 'PX', lockTtlMs, 'NX'));
      if (acquired === 'OK') return { taken: true };
      // A live holder renews its lease: keep waiting for it (bounded by lockWaitMs); a dead one's
      // lease expires and the next attempt takes the lock.
      const ttl = await deps.run('PTTL', () => redis.pttl(deps.lockKey));
      return { taken: false, retryInMs: ttl > 0 ? ttl : 10 };
    },
    renew: (owner) => redis.eval(RENEW, 1, deps.lockKey, owner, lockTtlMs),
    release: (owner) => deps.run('release', () => release(owner)),
    // An acquisition that failed client-side (its deadline passed while Redis stalled, the connection
    // dropped) may still be applied when Redis answers: the `SET NX` is queued on the connection. The
    // compare-and-delete sent after it on the same connection runs after it, so a lock nobody would
    // release is released at once.
    abandon: (owner) => void release(owner).catch(() => {}),
  };
}

export function withRedisLease<T>(deps: RedisLeaseDeps, fn: () => Promise<T>): Promise<T> {
  return withLease(
    {
      backend: redisLease(deps),
      news: deps.news,
      owner: randomBytes(16).toString('hex'),
      renewEveryMs: Math.max(30, Math.floor(deps.options.lockTtlMs / 3)),
      waitMs: deps.options.lockWaitMs,
      timedOut: () => new TokenRefreshError('Timed out waiting for another process to finish refreshing the tokens'),
      assertOpen: deps.assertOpen,
    },
    fn,
  );
}
