import Redis, { type RedisOptions } from 'ioredis';
import { RedisTokenStore } from '../../lib/redis';
import { waitFor } from './events';
import type { RedisProcess } from './redis-server';

// Clients and stores on a test redis-server, all closed by `closeAll()`.

export function redisPool(server: () => RedisProcess) {
  const clients: Redis[] = [];
  const stores: RedisTokenStore[] = [];
  const connect = (options: RedisOptions = {}) => {
    const client = new Redis({
      port: server().port,
      host: '127.0.0.1',
      maxRetriesPerRequest: 1,
      disconnectTimeout: 100,
      retryStrategy: () => 50,
      ...options,
    });
    client.on('error', () => {});
    clients.push(client);
    return client;
  };
  const store = (options: Partial<ConstructorParameters<typeof RedisTokenStore>[0]> = {}, clientOptions: RedisOptions = {}) => {
    const s = new RedisTokenStore({ redis: options.redis ?? connect(clientOptions), key: 'test:tokens', ...options });
    stores.push(s);
    return s;
  };
  const closeAll = async () => {
    stores.splice(0).forEach((s) => s.close());
    await Promise.all(clients.splice(0).map((c) => (c.status === 'ready' ? c.quit().catch(() => c.disconnect()) : c.disconnect())));
  };
  return { connect, store, closeAll };
}

/**
 * `waitFor` of events.ts with the Redis specs' argument order (the Redis state reached is polled:
 * Redis announces none of it). Kept here, with `deferred`, so those specs import as they did.
 */
export const eventually = (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> =>
  waitFor(check, what, timeoutMs);

export { deferred } from './events';
