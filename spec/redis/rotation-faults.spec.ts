import type Redis from 'ioredis';
import type { TokenSet } from '../../lib';
import type { RedisTokenStore } from '../../lib/redis';
import { deferred, eventually, redisPool } from '../support/redis-clients';
import { hasRedisServer, type RedisProcess, startRedisServer } from '../support/redis-server';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

// With rotating refresh tokens, a refresh result is the only copy of the new refresh token: losing
// it, or letting a second process present the one it replaced, ends the session for every process
// (with reuse detection, the server revokes the whole family). These tests hold RedisTokenStore to
// that under the faults of docs/scaling.md's failure matrix ("a refresh result is never lost"), at
// the store level, against real redis-server processes; spec/redis/chaos.spec.ts runs the same
// faults with worker processes, the plugin and the sandbox.

const describeRedis = hasRedisServer() ? describe : describe.skip;
const T: TokenSet = { accessToken: 'at-1', refreshToken: 'rt-1' };
const T2: TokenSet = { accessToken: 'at-2', refreshToken: 'rt-2' };
const LOCK = '{test:tokens}:lock';
const CHANNEL = 'axios-graphql-refresh:0:test:tokens';

describeRedis('RedisTokenStore: a refresh result is never lost, a spent refresh token never presented again', () => {
  let server: RedisProcess;
  let proxy: TcpProxy | undefined;
  const pool = redisPool(() => server);
  const { connect, store } = pool;

  beforeEach(async () => {
    server = await startRedisServer();
  });
  afterEach(async () => {
    await pool.closeAll();
    await proxy?.close();
    proxy = undefined;
    await server.kill();
  });

  /** A refresh under A's lock: reads the tokens, then waits for `write` before storing T2; records the order of events. */
  function refreshUnderLock(a: RedisTokenStore, order: string[], options: { refreshTimeoutMs?: number } = {}) {
    const inside = deferred();
    const write = deferred();
    const done = a.lock(async () => {
      expect(await a.get()).toEqual(T);
      inside.resolve();
      await write.promise;
      const wrote = await a.compareAndSet(T, T2);
      order.push(`A wrote: ${wrote}`);
      return wrote;
    }, options);
    return { inside: inside.promise, write: () => write.resolve(), done };
  }

  /** B's turn under the lock: what it reads there. */
  function waiterUnderLock(b: RedisTokenStore, order: string[]) {
    return b.lock(async () => {
      const read = await b.get();
      order.push(`B in, read ${read?.accessToken}`);
      return read;
    });
  }

  it('Redis restarts empty while A refreshes and B waits: B takes the new lock but holds off until A has stored its result, and reads it', async () => {
    const order: string[] = [];
    const a = store({ lockTtlMs: 3_000 });
    const clientB = connect();
    const b = store({ redis: clientB, lockTtlMs: 3_000 });
    await a.set(T);
    expect(await b.get()).toEqual(T); // B listens
    const refresh = refreshUnderLock(a, order, { refreshTimeoutMs: 5_000 });
    await refresh.inside;
    const ownerA = await connect().get(LOCK);
    const attempts = countCommands(clientB);
    const waiting = waiterUnderLock(b, order);
    await eventually('B found the lock taken', () => attempts.answered >= 1);
    const port = server.port;
    await server.kill();
    server = await startRedisServer({ port });
    // B's resubscription wakes it: it takes the lock of the empty Redis (before the fix it then went straight in).
    const raw = connect();
    await eventually(
      'someone else than A holds the new lock, or B went in',
      async () => order.length > 0 || ((await raw.get(LOCK)) ?? ownerA) !== ownerA,
      10_000,
    );
    refresh.write();
    await refresh.done;
    expect(await waiting).toEqual(T2);
    expect(order).toEqual(['A wrote: true', 'B in, read at-2']);
  }, 20_000);

  it('a refresh rejected under a lock taken on a Redis that forgot the last lease is not yet the end: the clear waits, bounded, for the refresh that may still land, and the session goes on with it', async () => {
    const order: string[] = [];
    const a = store({ lockTtlMs: 3_000 });
    await a.set(T);
    const refresh = refreshUnderLock(a, order, { refreshTimeoutMs: 3_000 });
    await refresh.inside;
    const port = server.port;
    await server.kill();
    server = await startRedisServer({ port });
    // A listens again (its subscriber reconnected): C's question for the tokens has someone to answer it.
    const raw = connect();
    await eventually('A resubscribed', async () => Number(((await raw.pubsub('NUMSUB', CHANNEL)) as unknown[])[1]) >= 1);
    // C starts now: it never heard of A's lease, and Redis no longer knows it.
    const c = store({ lockTtlMs: 3_000 });
    const ended = c.lock(
      async () => {
        expect(await c.get()).toEqual(T); // written back by A on C's asking
        order.push('C presents T: rejected (A spent it)');
        const cleared = c.compareAndSet(T, null); // the session would end here
        await eventually('C waits', () => order.length > 0);
        refresh.write();
        return cleared;
      },
      { refreshTimeoutMs: 3_000 },
    );
    expect(await ended).toBe(false);
    await refresh.done;
    expect(order).toEqual(['C presents T: rejected (A spent it)', 'A wrote: true']);
    expect(await c.get()).toEqual(T2);
  }, 20_000);

  it('Redis away for longer than the offline queue during A’s refresh: A keeps its result, serves it, writes it when Redis is back; nobody takes the lock before', async () => {
    const order: string[] = [];
    proxy = await startTcpProxy(server.port);
    const a = store({ lockTtlMs: 300, operationTimeoutMs: 300 }, { port: proxy.port, maxRetriesPerRequest: 1, retryStrategy: () => 50 });
    const b = store({ lockTtlMs: 300 });
    await a.set(T);
    expect(await b.get()).toEqual(T);
    const refresh = refreshUnderLock(a, order, { refreshTimeoutMs: 4_000 });
    await refresh.inside;
    proxy.cut(); // A's connections drop; its commands fail once the offline queue gives up
    refresh.write();
    expect(await refresh.done).toBe(true);
    expect(order).toEqual(['A wrote: true']);
    expect(await a.get()).toEqual(T2); // served from memory while Redis is away
    const waiting = waiterUnderLock(b, order);
    proxy.restore();
    expect(await waiting).toEqual(T2); // B went in only once A's write had landed
    expect(JSON.parse((await connect().get('test:tokens'))!)).toMatchObject(T2);
  }, 20_000);

  it('close() during A’s refresh: the result is still written, close() resolves after it, the next process reads it', async () => {
    const order: string[] = [];
    const a = store();
    await a.set(T);
    const refresh = refreshUnderLock(a, order);
    await refresh.inside;
    const closed = a.close();
    refresh.write();
    expect(await refresh.done).toBe(true);
    await closed;
    expect(await store().get()).toEqual(T2);
    await expect(a.get()).rejects.toThrow(/closed/);
  });

  it('close() while the subscriber subscribes again after a reconnect: nothing rejects unhandled (the process would crash)', async () => {
    proxy = await startTcpProxy(server.port);
    const client = connect({ port: proxy.port });
    // The store's subscriber is the client's duplicate: the moment it is ready again after the drop,
    // Redis' replies are held, so a SUBSCRIBE sent then is still unanswered when close() comes.
    const duplicate = client.duplicate.bind(client);
    const reconnected = deferred();
    let subscriber: Redis | undefined;
    let dropped = false;
    client.duplicate = ((...args: Parameters<Redis['duplicate']>) => {
      subscriber = duplicate(...args);
      subscriber.on('ready', () => {
        if (!dropped) return;
        proxy!.holdReplies();
        reconnected.resolve();
      });
      return subscriber;
    }) as Redis['duplicate'];
    const a = store({ redis: client });
    await a.set(T);
    await a.get();
    const watcher = connect();
    await eventually('the store is subscribed', async () => {
      const [, count] = (await watcher.pubsub('NUMSUB', CHANNEL)) as [string, number];
      return Number(count) > 0;
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      dropped = true;
      proxy.cut();
      proxy.restore();
      await reconnected.promise;
      await a.close();
      await eventually('the subscriber closed', () => subscriber!.status === 'end');
      for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('unhandledRejection', onUnhandled);
      proxy.cut(); // the held replies never come: the other connections are dropped, not quit
    }
    expect(unhandled.map((e) => (e as Error)?.message)).toEqual([]);
  });

  it('a holder that stops renewing (frozen) is not taken over before its refresh deadline has passed: its late write lands and the waiter reads it', async () => {
    const order: string[] = [];
    const clientA = connect();
    const a = store({ redis: clientA, lockTtlMs: 200 });
    const b = store({ lockTtlMs: 200 });
    await a.set(T);
    expect(await b.get()).toEqual(T);
    const refresh = refreshUnderLock(a, order, { refreshTimeoutMs: 3_000 });
    await refresh.inside;
    freezeRenewals(clientA);
    const started = Date.now();
    const waiting = waiterUnderLock(b, order);
    // Long enough for the 200 ms lease to lapse several times over; B must still be waiting.
    await eventually('B went in, or three leases passed', () => order.length > 0 || Date.now() - started > 600);
    refresh.write();
    await refresh.done;
    expect(await waiting).toEqual(T2);
    expect(order).toEqual(['A wrote: true', 'B in, read at-2']);
  });

  it('the lock key evicted or deleted during A’s refresh: a process that never heard of A does not take the lock while A works', async () => {
    const order: string[] = [];
    const a = store({ lockTtlMs: 3_000 });
    await a.set(T);
    const refresh = refreshUnderLock(a, order, { refreshTimeoutMs: 3_000 });
    await refresh.inside;
    await connect().del(LOCK); // as volatile-ttl eviction (the lock is the only key with a TTL) or an operator's DEL
    const clientC = connect();
    const attempts = countCommands(clientC);
    const c = store({ redis: clientC });
    const waiting = c.lock(async () => {
      const read = await c.get();
      order.push(`C in, read ${read?.accessToken}`);
      return read;
    });
    await eventually('C tried the lock twice, or went in', () => attempts.count >= 2 || order.length > 0);
    refresh.write();
    await refresh.done;
    expect(await waiting).toEqual(T2);
    expect(order).toEqual(['A wrote: true', 'C in, read at-2']);
  });

  it.each([
    ['DEL', (raw: Redis) => raw.del('test:tokens')],
    ['FLUSHALL', (raw: Redis) => raw.flushall()],
  ])('the token key lost while processes serve from their cache (%s): a process started then gets the tokens', async (_name, lose) => {
    const raw = connect();
    const a = store();
    const b = store();
    await a.set(T);
    await eventually('B serves T from its cache', async () => {
      await b.get();
      return (await raw.pubsub('NUMSUB', 'axios-graphql-refresh:0:test:tokens'))[1] === 2;
    });
    await lose(raw);
    expect(await store().get()).toEqual(T);
    expect(JSON.parse((await raw.get('test:tokens'))!)).toMatchObject(T);
  });

  it('warns once (process warning) when Redis’ maxmemory-policy would evict the token key or the lock; not with noeviction', async () => {
    const raw = connect();
    const warnings: string[] = [];
    const spy = jest
      .spyOn(process, 'emitWarning')
      .mockImplementation(((message: string) => void warnings.push(String(message))) as typeof process.emitWarning);
    try {
      await raw.config('SET', 'maxmemory', '64mb');
      const calm = store();
      await calm.set(T);
      await calm.get();
      expect(warnings).toEqual([]);
      await raw.config('SET', 'maxmemory-policy', 'volatile-ttl');
      const warned = store();
      await warned.get();
      await warned.set(T2);
      await warned.lock(async () => warned.get());
      await eventually('a warning', () => warnings.length > 0);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/maxmemory-policy is volatile-ttl/);
      expect(warnings[0]).toMatch(/noeviction/);
    } finally {
      spy.mockRestore();
    }
  });
});

/** Drops the lease renewals A's client sends (its process frozen, as far as Redis can tell). */
function freezeRenewals(client: Redis): void {
  const evalOf = client.eval.bind(client) as (...a: unknown[]) => Promise<unknown>;
  const isRenewal = (script: unknown) => /pexpire|local recorded/.test(String(script));
  client.eval = ((...a: unknown[]) => (isRenewal(a[0]) ? new Promise(() => {}) : evalOf(...a))) as Redis['eval'];
}

/** Counts the lock attempts (SET or a script naming the lock) a client sends, and those answered. */
function countCommands(client: Redis): { count: number; answered: number } {
  const counter = { count: 0, answered: 0 };
  for (const name of ['set', 'eval'] as const) {
    const original = (client[name] as (...a: unknown[]) => Promise<unknown>).bind(client);
    (client as unknown as Record<string, unknown>)[name] = (...a: unknown[]) => {
      const attempt = name === 'set' ? a[0] === LOCK : a.includes(LOCK);
      if (attempt) counter.count++;
      const result = original(...a);
      if (attempt)
        void result.then(
          () => counter.answered++,
          () => {},
        );
      return result;
    };
  }
  return counter;
}
