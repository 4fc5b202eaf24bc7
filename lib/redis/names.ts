import type { RedisClientLike } from './options';

// Names derived from the store's key (docs/scaling.md "Keys and names": two deployments on one server must never meet).
//
// - Keys may not contain `{` or `}`, and every derived key is `{key}:…`: a derived key always holds a
//   brace, so it can never be another store's token key, and two stores' derived keys meet only if
//   their keys are equal. `{key}` is also a Redis Cluster hash tag hashing like the bare key.
// - Pub/sub channels are server-wide: neither `SELECT`/`db` nor an ioredis `keyPrefix` separates
//   them. The channel names the database and the full key (prefix included), and every message
//   carries both again, so a store only ever hears of its own key in its own database.

export interface StoreNames {
  /** The token key as the client sees it (ioredis adds `keyPrefix` itself). */
  key: string;
  lock: string;
  /** The record of the last lease (`{key}:lease`): see scripts.ts. */
  lease: string;
  channel: string;
  /** The key as Redis sees it, and the database: what messages carry. */
  fullKey: string;
  db: number;
}

export function storeNames(redis: RedisClientLike, key: string): StoreNames {
  const db = Number(redis.options?.db ?? 0) || 0;
  const fullKey = `${redis.options?.keyPrefix ?? ''}${key}`;
  return { key, lock: `{${key}}:lock`, lease: `{${key}}:lease`, channel: `axios-graphql-refresh:${db}:${fullKey}`, fullKey, db };
}

/**
 * The keys of the shared rate budget `name` (scripts.ts TAKE_BUDGET): its sends and the store
 * objects that asked for it. Different prefixes, so no budget name makes one budget's key another's;
 * the same hash tag as the token key, so a script touching both runs on one Redis Cluster slot.
 */
export function budgetKeys(key: string, name: string): [sends: string, sharers: string] {
  return [`{${key}}:sends:${name}`, `{${key}}:sharers:${name}`];
}
