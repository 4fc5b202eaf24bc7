import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Redis from 'ioredis';
import { isTokenRefreshError, type TokenSet } from '../../lib';
import { RedisTokenStore } from '../../lib/redis';
import { deferred, eventually, redisPool } from '../support/redis-clients';
import { hasRedisServer, type RedisProcess, startRedisServer } from '../support/redis-server';

// Regression tests: each failure found in the first release of RedisTokenStore under faults, against real
// redis-server processes (docs/scaling.md, "Failure matrix", names each test).

const describeRedis = hasRedisServer() ? describe : describe.skip;
const alice: TokenSet = { accessToken: 'at-alice', refreshToken: 'rt-alice' };
const alice2: TokenSet = { accessToken: 'at-alice-2', refreshToken: 'rt-alice-2' };
const bob: TokenSet = { accessToken: 'at-bob', refreshToken: 'rt-bob' };

describeRedis('RedisTokenStore under faults', () => {
  let server: RedisProcess;
  const pool = redisPool(() => server);
  const { connect, store } = pool;
  let dir: string | undefined;

  beforeEach(async () => {
    server = await startRedisServer();
  });
  afterEach(async () => {
    await pool.closeAll();
    await server.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  /** Resolves with the next message published anywhere on the server (a witness that a publish went out). */
  async function witness() {
    const sub = connect();
    await sub.psubscribe('*');
    return () => new Promise<void>((resolve) => sub.once('pmessage', () => resolve()));
  }

  describe('(1) two deployments on one Redis never hear each other', () => {
    it.each([
      ['db 0 and db 1, same key', { db: 0 }, { db: 1 }, {}, {}],
      ['keyPrefix a: and b:, same key', { keyPrefix: 'a:' }, { keyPrefix: 'b:' }, {}, {}],
      ['different keys', {}, {}, { key: 'deploy-a' }, { key: 'deploy-b' }],
    ])('%s: B keeps its own tokens while A writes', async (_name, clientA, clientB, storeA, storeB) => {
      const a = store(storeA, clientA);
      const b = store(storeB, clientB);
      const heard: Array<TokenSet | null> = [];
      b.subscribe?.((t) => heard.push(t));
      await b.set(bob);
      await b.get();
      const published = await witness();
      const sent = published();
      await a.set(alice);
      await sent;
      await a.set(null); // a session end in deployment A
      expect(await b.get()).toEqual(bob);
      expect(heard).toEqual([]);
    });
  });

  describe('(2) session end is heard by every process', () => {
    it('B’s listener gets null when A clears the tokens (compareAndSet to null)', async () => {
      const raw = connect();
      const a = store();
      const b = store();
      await a.set(alice);
      expect(await b.get()).toEqual(alice);
      const cleared = deferred<TokenSet | null>();
      b.subscribe((t) => cleared.resolve(t));
      await eventually('A and B subscribed', async () => (await raw.pubsub('NUMSUB', 'axios-graphql-refresh:0:test:tokens'))[1] === 2);
      expect(await a.compareAndSet(alice, null)).toBe(true);
      expect(await cleared.promise).toBeNull();
      expect(await b.get()).toBeNull();
    });

    it('never reports its own writes', async () => {
      const raw = connect();
      const a = store();
      const heard: Array<TokenSet | null> = [];
      a.subscribe((t) => heard.push(t));
      const b = store();
      const fromB = deferred<TokenSet | null>();
      a.subscribe((t) => fromB.resolve(t));
      await eventually('A subscribed', async () => (await raw.pubsub('NUMSUB', 'axios-graphql-refresh:0:test:tokens'))[1] === 1);
      await a.set(alice);
      await a.compareAndSet(alice, null);
      await b.set(bob); // a marker from elsewhere: every earlier message has been seen once it arrives
      expect(await fromB.promise).toEqual(bob);
      expect(heard).toEqual([bob]);
    });
  });

  describe('(3) conditional writes across processes', () => {
    it('A’s compareAndSet from alice’s tokens is refused after B switched to bob, and after B logged out', async () => {
      const a = store();
      const b = store();
      await a.set(alice);
      await b.set(bob);
      expect(await a.compareAndSet(alice, alice2)).toBe(false);
      expect(await store().get()).toEqual(bob);
      await b.set(null);
      expect(await a.compareAndSet(bob, alice2)).toBe(false);
      expect(await store().get()).toBeNull();
    });

    it('is atomic: of 20 processes comparing against the same tokens, exactly one writes', async () => {
      await store().set(alice);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store().compareAndSet(alice, { accessToken: `at-${i}`, refreshToken: `rt-${i}` })),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await store().get())?.accessToken).toBe(`at-${results.indexOf(true)}`);
    });
  });

  describe('(4) a Redis restart neither loses nor rewinds the session', () => {
    it('restarted empty: B keeps its tokens, reports no clear, and restores them in Redis', async () => {
      const a = store();
      const b = store();
      await a.set(alice);
      expect(await b.get()).toEqual(alice);
      const heard: Array<TokenSet | null> = [];
      b.subscribe?.((t) => heard.push(t));
      const port = server.port;
      await server.kill();
      server = await startRedisServer({ port });
      expect(await b.get()).toEqual(alice);
      const raw = connect();
      // Restored by the resubscription's read, or else by the next read (as the next request makes).
      await eventually('the key restored', async () => (await b.get()) !== null && (await raw.get('test:tokens')) !== null);
      expect(JSON.parse((await raw.get('test:tokens'))!)).toMatchObject(alice);
      expect(await a.get()).toEqual(alice);
      expect(heard).toEqual([]);
    });

    it('restarted empty, tokens written without a version (0.1.0): B still restores them, and its conditional write passes', async () => {
      await connect().set('test:tokens', JSON.stringify(alice));
      const b = store();
      expect(await b.get()).toEqual(alice);
      const port = server.port;
      await server.kill();
      server = await startRedisServer({ port });
      expect(await b.get()).toEqual(alice);
      const raw = connect();
      // Restored by the resubscription's read, or else by the next read (as the next request makes).
      await eventually('the key restored', async () => (await b.get()) !== null && (await raw.get('test:tokens')) !== null);
      expect(await b.compareAndSet(alice, alice2)).toBe(true);
      expect(await store().get()).toEqual(alice2);
    });

    it('restarted from an older snapshot: B never adopts the older tokens, restores its own, and its next conditional write passes', async () => {
      dir = mkdtempSync(join(tmpdir(), 'redis-snapshot-'));
      await server.kill();
      server = await startRedisServer({ dir });
      const a = store();
      const b = store();
      await a.set(alice);
      await connect().save(); // the snapshot holds alice
      await a.set(alice2); // alice's refresh token is spent now (rotation)
      await eventually('B has alice2', async () => (await b.get())?.accessToken === alice2.accessToken);
      const port = server.port;
      await server.kill();
      server = await startRedisServer({ port, dir });
      expect(await b.get()).toEqual(alice2);
      const raw = connect();
      await eventually(
        'alice2 restored',
        async () => (await b.get()) !== null && JSON.parse((await raw.get('test:tokens'))!).accessToken === alice2.accessToken,
      );
      expect(await b.compareAndSet(alice2, bob)).toBe(true);
      await eventually('A hears of bob', async () => (await a.get())?.accessToken === bob.accessToken);
    });
  });

  describe('(5) a read is trusted only once the subscription is live', () => {
    /** A client whose subscriber's SUBSCRIBE waits for `open()`: the gap before a subscription is live, made as long as the test needs. */
    function gatedClient() {
      const client = connect();
      let gate = deferred();
      let subscribed = deferred();
      const subscribers: Redis[] = [];
      const duplicate = client.duplicate.bind(client);
      client.duplicate = ((...args: Parameters<Redis['duplicate']>) => {
        const sub = duplicate(...args);
        sub.on('error', () => {});
        subscribers.push(sub);
        const subscribe = sub.subscribe.bind(sub) as (...a: unknown[]) => Promise<unknown>;
        sub.subscribe = ((...a: unknown[]) =>
          gate.promise.then(async () => {
            const result = await subscribe(...a);
            subscribed.resolve();
            return result;
          })) as Redis['subscribe'];
        return sub;
      }) as Redis['duplicate'];
      return {
        client,
        subscribers,
        open: () => gate.resolve(),
        close: () => {
          gate = deferred();
          subscribed = deferred();
        },
        /** Resolves once the store's SUBSCRIBE has been answered (after open()). */
        subscribed: () => subscribed.promise,
      };
    }

    it('a first read made before SUBSCRIBE is confirmed is not cached: a switch in that gap is seen', async () => {
      const a = store();
      await a.set(alice);
      const gated = gatedClient();
      const b = store({ redis: gated.client });
      expect(await b.get()).toEqual(alice); // read before the subscription exists
      await a.set(bob); // nobody on B's side hears this
      gated.open();
      await gated.subscribed();
      await new Promise((r) => setImmediate(r));
      expect(await b.get()).toEqual(bob);
    });

    it('a reconnect of the subscriber (CLIENT KILL TYPE pubsub) invalidates the cache', async () => {
      const a = store();
      await a.set(alice);
      const gated = gatedClient();
      gated.open();
      const b = store({ redis: gated.client });
      expect(await b.get()).toEqual(alice);
      await gated.subscribed();
      expect(await b.get()).toEqual(alice);
      gated.close(); // the resubscription after the kill waits
      const closed = new Promise((r) => gated.subscribers[0]!.once('close', r));
      await connect().client('KILL', 'TYPE', 'pubsub');
      await closed;
      expect(await b.get()).toEqual(alice); // read during the gap
      await a.set(bob);
      gated.open();
      await gated.subscribed();
      await new Promise((r) => setImmediate(r));
      expect(await b.get()).toEqual(bob);
    });
  });

  it('(6) a lock acquisition abandoned while Redis stalled (SIGSTOP) is released when Redis resumes', async () => {
    const clientA = connect({ maxRetriesPerRequest: null });
    const a = store({ redis: clientA, operationTimeoutMs: 200, lockTtlMs: 10_000 });
    await a.get();
    server.pause();
    let ran = false;
    const error = await a.lock(async () => (ran = true)).catch((e: unknown) => e);
    expect(isTokenRefreshError(error)).toBe(true);
    expect(ran).toBe(false);
    server.resume();
    await clientA.ping(); // every command queued before this one has run
    const b = store({ lockWaitMs: 1_000 });
    const started = Date.now();
    await expect(b.lock(async () => 'took it')).resolves.toBe('took it');
    expect(Date.now() - started).toBeLessThan(1_000); // not the 10 s lease of a lock nobody holds
  });

  it('(7) after close(), operations reject with TokenRefreshError and open no connection', async () => {
    const client = connect();
    let duplicates = 0;
    const duplicate = client.duplicate.bind(client);
    client.duplicate = ((...args: Parameters<Redis['duplicate']>) => {
      duplicates++;
      return duplicate(...args);
    }) as Redis['duplicate'];
    const a = store({ redis: client });
    await a.set(alice);
    a.close();
    const operations: Array<() => Promise<unknown>> = [
      () => a.get(),
      () => a.set(bob),
      () => a.lock(async () => 1),
      () => a.compareAndSet(alice, bob),
    ];
    for (const operation of operations) {
      const error = await Promise.resolve()
        .then(operation)
        .catch((e: unknown) => e);
      expect(isTokenRefreshError(error)).toBe(true);
      expect((error as Error).message).toMatch(/closed/);
      expect(error).toMatchObject({ code: 'STORE_CLOSED', transient: false }); // permanent: not retried, not waited out
    }
    expect(duplicates).toBe(1);
  });

  it('(7) close() wakes a process waiting for the lock: it rejects at once', async () => {
    const holder = store();
    const inside = deferred();
    const released = deferred();
    const holding = holder.lock(async () => {
      inside.resolve();
      await released.promise;
    });
    await inside.promise;
    const waiterClient = connect();
    const polled = deferred();
    const evalOf = waiterClient.eval.bind(waiterClient) as (...a: unknown[]) => Promise<unknown>;
    // Resolves once a lock attempt was answered "taken": the waiter then waits for news.
    waiterClient.eval = ((...a: unknown[]) =>
      evalOf(...a).finally(() => a.includes('{test:tokens}:lock') && polled.resolve())) as Redis['eval'];
    const waiter = store({ redis: waiterClient });
    const started = Date.now();
    const waiting = waiter.lock(async () => 'never').catch((e: unknown) => e);
    await polled.promise; // it found the lock taken and waits for news
    waiter.close();
    const error = await waiting;
    expect(isTokenRefreshError(error)).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000); // not the lease (10 s) nor lockWaitMs
    released.resolve();
    await holding;
  });

  it.each([
    ['lockWaitMs', { lockWaitMs: Number.NaN }, /^Expected `lockWaitMs` to be a finite number ≥ 0, got `NaN`$/],
    ['lockTtlMs', { lockTtlMs: -1 }, /^Expected `lockTtlMs` to be an integer ≥ 100, got `-1`$/],
    // Redis takes PX in whole milliseconds: 3000 * 1.1 passed, then every SET … PX failed in every process.
    ['lockTtlMs', { lockTtlMs: 3000 * 1.1 }, /^Expected `lockTtlMs` to be an integer ≥ 100, got `3300.0000000000005`$/],
    [
      'operationTimeoutMs',
      { operationTimeoutMs: Number.POSITIVE_INFINITY },
      /^Expected `operationTimeoutMs` to be a finite number ≥ 1, got `Infinity`$/,
    ],
    ['key', { key: '' }, /^Expected `key` to be a non-empty string without `\{` or `\}`, got ``$/],
    ['key', { key: 'tokens:{x}' }, /^Expected `key` .*got `tokens:\{x\}`$/],
  ])('(8) a bad `%s` is a TypeError at construction naming it', (_name, options, message) => {
    const redis = connect();
    expect(() => new RedisTokenStore({ redis, ...(options as object) })).toThrow(TypeError);
    expect(() => new RedisTokenStore({ redis, ...(options as object) })).toThrow(message);
  });

  it('(9) stores with keys `x` and `x:lock` never meet', async () => {
    const x = store({ key: 'x', lockWaitMs: 500 });
    const xLock = store({ key: 'x:lock', lockWaitMs: 500 });
    await xLock.set(bob);
    await x.set(alice);
    await expect(x.lock(async () => 'x refreshed')).resolves.toBe('x refreshed');
    await expect(xLock.lock(async () => 'x:lock refreshed')).resolves.toBe('x:lock refreshed');
    expect(await store({ key: 'x:lock' }).get()).toEqual(bob);
    expect(await store({ key: 'x' }).get()).toEqual(alice);
  });

  it('a waiter keeps waiting while the holder renews its lease past lockWaitMs’s old default (2 × lockTtlMs)', async () => {
    const holderClient = connect();
    let evals = 0;
    const evalOf = holderClient.eval.bind(holderClient) as (...a: unknown[]) => Promise<unknown>;
    holderClient.eval = ((...a: unknown[]) => {
      evals++;
      return evalOf(...a);
    }) as Redis['eval'];
    const holder = store({ redis: holderClient, lockTtlMs: 100 });
    const waiter = store({ lockTtlMs: 100 });
    const inside = deferred();
    const release = deferred();
    const holding = holder.lock(async () => {
      inside.resolve();
      await release.promise;
    });
    await inside.promise;
    const waiting = waiter.lock(async () => 'my turn');
    // The holder is alive and renews its lease (every lockTtlMs / 3) for 8 × lockTtlMs.
    const before = evals;
    await eventually('24 renewals', () => evals - before >= 24, 10_000);
    release.resolve();
    await holding;
    await expect(waiting).resolves.toBe('my turn');
  });
});
