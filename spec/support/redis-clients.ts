import Redis, { type RedisOptions } from 'ioredis';
import { RedisTokenStore } from '../../lib/redis';
import type { RedisProcess } from './redis-server';

// Clients and stores on a test redis-server, all closed by `closeAll()`; plus `eventually`, which
// waits on a condition (a state Redis or a store reaches) rather than for a fixed time.

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

/** Resolves once `check` holds (checked every 10 ms); rejects with `what` after `timeoutMs`. */
export async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > giveUpAt) throw new Error(`Timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
