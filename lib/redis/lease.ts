import { randomBytes } from 'node:crypto';
import { TokenRefreshError } from '../errors/token-refresh-error';
import type { ResolvedRedisOptions } from './options';
import { RELEASE, RENEW } from './scripts';

// The refresh lock: a lease (`SET NX PX` with a random owner), renewed while its holder works,
// released by compare-and-delete, expiring by itself if its holder dies (docs/scaling.md).

export interface LeaseDeps {
  options: ResolvedRedisOptions;
  lockKey: string;
  channel: string;
  releasedMessage: string;
  /** Runs one command with the store's deadline; failures become TokenRefreshError. */
  run<T>(what: string, command: () => Promise<T>): Promise<T>;
  /** How much news has come so far: read before asking Redis, handed to `waitForNews`. */
  newsMark(): number;
  /**
   * Resolves on news from the channel (tokens stored, lock released, store closed) or after `ms`;
   * at once when news came since `since`, so a release published while the caller was reading the
   * lock is not slept through (the lock's whole lease).
   */
  waitForNews(ms: number, since: number): Promise<void>;
  assertOpen(): void;
}

/**
 * An acquisition that failed client-side (its deadline passed while Redis stalled, the connection
 * dropped) may still be applied when Redis answers: the `SET NX` is queued on the connection. The
 * compare-and-delete sent after it on the same connection runs after it, so a lock nobody would
 * release is released at once (issue 10, failure 6).
 */
function abandon(deps: LeaseDeps, owner: string): void {
  const { redis } = deps.options;
  redis.eval(RELEASE, 1, deps.lockKey, owner, deps.channel, deps.releasedMessage).catch(() => {});
}

async function acquire(deps: LeaseDeps): Promise<string> {
  const { redis, lockTtlMs, lockWaitMs } = deps.options;
  const owner = randomBytes(16).toString('hex');
  const giveUpAt = Date.now() + lockWaitMs;
  for (;;) {
    deps.assertOpen();
    const mark = deps.newsMark();
    let acquired: unknown;
    try {
      acquired = await deps.run('SET NX', () => redis.set(deps.lockKey, owner, 'PX', lockTtlMs, 'NX'));
    } catch (error) {
      abandon(deps, owner);
      throw error;
    }
    if (acquired === 'OK') return owner;
    // A live holder renews its lease: keep waiting for it (bounded by lockWaitMs); a dead one's
    // lease expires and the next attempt takes the lock.
    const left = giveUpAt - Date.now();
    if (left <= 0) throw new TokenRefreshError('Timed out waiting for another process to finish refreshing the tokens');
    const ttl = await deps.run('PTTL', () => redis.pttl(deps.lockKey));
    await deps.waitForNews(Math.max(10, Math.min(left, ttl > 0 ? ttl : 10)), mark);
  }
}

export async function withLease<T>(deps: LeaseDeps, fn: () => Promise<T>): Promise<T> {
  const { redis, lockTtlMs } = deps.options;
  const owner = await acquire(deps);
  const renewal = setInterval(() => {
    redis.eval(RENEW, 1, deps.lockKey, owner, lockTtlMs).catch(() => {});
  }, Math.max(30, Math.floor(lockTtlMs / 3)));
  (renewal as { unref?: () => void }).unref?.();
  try {
    return await fn();
  } finally {
    clearInterval(renewal);
    await deps.run('release', () => redis.eval(RELEASE, 1, deps.lockKey, owner, deps.channel, deps.releasedMessage)).catch(() => {});
  }
}
