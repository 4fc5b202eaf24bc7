// `axios-graphql-refresh/redis`: a token store shared across processes. Re-exports only.

export type { RedisClientLike, RedisSubscriberLike, RedisTokenStoreOptions } from './redis-token-store';
export { RedisTokenStore } from './redis-token-store';
