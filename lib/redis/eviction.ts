import type { RedisClientLike } from './options';

// Redis that evicts keys can drop the lock during a refresh (any policy but `noeviction`: the lock
// has a TTL, so `volatile-*` policies pick it first) or the tokens themselves (`allkeys-*`). The store
// copes (scripts.ts, the re-seeding in redis-token-store.ts), but the store's Redis should not evict:
// say so once, where `CONFIG GET` is allowed (managed services may rename it: then nothing is said).

/** A warning to give when the server's eviction settings can evict the store's keys; `undefined` otherwise. */
export async function evictionWarning(redis: RedisClientLike): Promise<string | undefined> {
  if (typeof redis.config !== 'function') return undefined;
  const flat = (await redis.config('GET', 'maxmemory*').catch(() => [])) as unknown;
  if (!Array.isArray(flat)) return undefined;
  const settings = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) settings.set(String(flat[i]), String(flat[i + 1]));
  const policy = settings.get('maxmemory-policy');
  const limit = settings.get('maxmemory');
  if (!policy || policy === 'noeviction' || limit === undefined || limit === '0') return undefined;
  return (
    `RedisTokenStore: this Redis' maxmemory-policy is ${policy} (maxmemory ${limit}): it may evict the refresh lock during a refresh` +
    `${policy.startsWith('allkeys') ? ' or the tokens' : ''}. Give the token store a Redis with maxmemory-policy noeviction (docs/scaling.md, "Eviction").`
  );
}
