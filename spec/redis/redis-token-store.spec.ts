import { inspect } from 'node:util';
import axios from 'axios';
import Redis from 'ioredis';
import { attachTokenRefresh, createGraphQLClient, isTokenRefreshError } from '../../lib';
import { RedisTokenStore } from '../../lib/redis';
import { waitFor } from '../support/events';
import { startTestServer } from '../support/graphql-server';
import { hasRedisServer, type RedisProcess, startRedisServer } from '../support/redis-server';
import { STUDENTS } from '../support/setup';

const describeRedis = hasRedisServer() ? describe : describe.skip;

describeRedis('RedisTokenStore (real redis-server)', () => {
  let server: RedisProcess;
  const clients: Redis[] = [];
  const stores: RedisTokenStore[] = [];
  const connect = () => {
    const client = new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: 1, disconnectTimeout: 100 });
    client.on('error', () => {});
    clients.push(client);
    return client;
  };
  const store = (options: Partial<ConstructorParameters<typeof RedisTokenStore>[0]> = {}) => {
    const s = new RedisTokenStore({ redis: connect(), key: 'test:tokens', ...options });
    stores.push(s);
    return s;
  };

  beforeEach(async () => {
    server = await startRedisServer();
  });
  afterEach(async () => {
    stores.splice(0).forEach((s) => s.close());
    await Promise.all(clients.splice(0).map((c) => (c.status === 'ready' ? c.quit().catch(() => c.disconnect()) : c.disconnect())));
    await server.kill();
  });

  it('keeps the tokens as JSON in one key, with a version; a clear leaves a tombstone', async () => {
    const a = store();
    expect(await a.get()).toBeNull();
    await a.set({ accessToken: 'at', refreshToken: 'rt', expiresAt: 5 });
    const stored = JSON.parse((await connect().get('test:tokens'))!);
    expect(stored).toEqual({ accessToken: 'at', refreshToken: 'rt', expiresAt: 5, v: expect.any(Number) });
    expect(await store().get()).toEqual({ accessToken: 'at', refreshToken: 'rt', expiresAt: 5 });
    await a.set(null);
    const tombstone = JSON.parse((await connect().get('test:tokens'))!);
    expect(tombstone).toEqual({ v: expect.any(Number) });
    expect(tombstone.v).toBeGreaterThan(stored.v);
    expect(await store().get()).toBeNull();
  });

  it('compareAndSet(expected, next) writes only over the expected tokens', async () => {
    const a = store();
    const raw = connect();
    expect(await a.compareAndSet(null, { accessToken: 'a1', refreshToken: 'r1' })).toBe(true);
    expect(await a.compareAndSet(null, { accessToken: 'x' })).toBe(false); // not empty any more
    expect(await a.compareAndSet({ accessToken: 'a1', refreshToken: 'other' }, { accessToken: 'x' })).toBe(false); // refresh token differs
    expect(await a.compareAndSet({ accessToken: 'a1' }, { accessToken: 'x' })).toBe(false); // refresh token missing from expected
    expect(JSON.parse((await raw.get('test:tokens'))!).accessToken).toBe('a1');
    expect(await a.compareAndSet({ accessToken: 'a1', refreshToken: 'r1' }, { accessToken: 'a2', refreshToken: 'r2' })).toBe(true);
    expect(await a.compareAndSet({ accessToken: 'a2', refreshToken: 'r2' }, null)).toBe(true);
    expect(await store().get()).toBeNull();
    expect(await a.compareAndSet(null, { accessToken: 'a3' })).toBe(true); // a tombstone counts as empty
    expect(await store().get()).toEqual({ accessToken: 'a3' });
  });

  it('set() and compareAndSet() refuse tokens without an accessToken (the stored JSON stays valid)', async () => {
    const a = store();
    await a.set({ accessToken: 'at' });
    await expect(a.set({} as never)).rejects.toThrow(TypeError);
    await expect(a.compareAndSet({ accessToken: 'at' }, { accessToken: '' })).rejects.toThrow(TypeError);
    expect(await store().get()).toEqual({ accessToken: 'at' });
  });

  it('lock() is mutually exclusive across clients', async () => {
    const a = store();
    const b = store();
    const events: string[] = [];
    // The time inside is not a wait for anything (a lock that excludes passes however short it is):
    // it gives one that does not exclude the time to let a second holder in, as a refresh would.
    const critical = (name: string) => async () => {
      events.push(`${name} in`);
      await new Promise((inside) => setTimeout(inside, 80));
      events.push(`${name} out`);
    };
    await Promise.all([a.lock(critical('a')), b.lock(critical('b')), a.lock(critical('c'))]);
    for (let i = 0; i < events.length; i += 2) expect(events[i + 1]).toBe(events[i]!.replace(' in', ' out'));
  });

  it('a waiter hears a release that came between its failed attempt and its wait: it takes the lock at once, not after the lease', async () => {
    // The race the chaos suite met after a Redis stall (a request waited out a whole 10 s lease): the
    // release is published while the waiter's attempt is on its way back; made certain here by
    // releasing inside that attempt and returning only once the waiter's subscriber has the message.
    const a = store();
    const bClient = connect();
    const b = new RedisTokenStore({ redis: bClient, key: 'test:tokens' });
    stores.push(b);
    let subscriber: Redis | undefined;
    const duplicate = bClient.duplicate.bind(bClient);
    bClient.duplicate = ((...args: Parameters<Redis['duplicate']>) => (subscriber = duplicate(...args))) as Redis['duplicate'];
    await b.get(); // subscribes
    let releaseA!: () => void;
    const aHolds = new Promise<void>((entered) => void a.lock(() => new Promise<void>((release) => ((releaseA = release), entered()))));
    await aHolds;
    const evalOf = bClient.eval.bind(bClient) as (...args: unknown[]) => Promise<unknown>;
    let blockedFor = 0;
    bClient.eval = (async (...args: unknown[]) => {
      if (!args.includes('{test:tokens}:lock') || blockedFor) return evalOf(...args);
      const answer = (await evalOf(...args)) as [number, number];
      blockedFor = answer[1];
      // Listeners run in the order they were added: when ours runs, the store's own has run.
      // Other messages may come first (A renews its lease meanwhile): wait for the release itself.
      const heard = new Promise<void>((resolve) => {
        const onMessage = (_c: string, raw: string) => {
          if (!raw.includes('"released":true')) return;
          subscriber!.off('message', onMessage);
          resolve();
        };
        subscriber!.on('message', onMessage);
      });
      releaseA();
      await heard;
      return answer;
    }) as typeof bClient.eval;
    const started = Date.now();
    await b.lock(async () => undefined);
    expect(blockedFor).toBeGreaterThan(5_000); // what the waiter would otherwise have slept (the lease)
    expect(Date.now() - started).toBeLessThan(blockedFor / 2);
  }, 20_000);

  it('is a lease: a holder that never releases loses the lock when it expires', async () => {
    await connect().set('{test:tokens}:lock', 'dead-holder', 'PX', 300, 'NX');
    const started = Date.now();
    await store({ lockTtlMs: 1_000 }).lock(async () => undefined);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250); // waited for the expiry, did not steal it
  });

  it('releases by compare-and-delete: an expired holder cannot delete its successor’s lock', async () => {
    const a = store({ lockTtlMs: 150 });
    const raw = connect();
    await a.lock(async () => {
      // Simulate a stall past the lease: the lock expires and someone else takes it.
      await raw.pexpire('{test:tokens}:lock', 1);
      await waitFor(async () => (await raw.exists('{test:tokens}:lock')) === 0, 'the lock expired');
      expect(await raw.set('{test:tokens}:lock', 'successor', 'PX', 5_000, 'NX')).toBe('OK');
    });
    expect(await raw.get('{test:tokens}:lock')).toBe('successor');
  });

  it('renews the lease while the refresh runs longer than lockTtlMs', async () => {
    const a = store({ lockTtlMs: 200 });
    const raw = connect();
    await a.lock(async () => {
      // Held past the first lease, watching Redis: the lock must never lapse, and must be seen renewed
      // (its time to live going up again). Redis announces neither: polled.
      const entered = Date.now();
      let last = Number.POSITIVE_INFINITY;
      let renewals = 0;
      await waitFor(async () => {
        const ttl = await raw.pttl('{test:tokens}:lock');
        expect(ttl).toBeGreaterThan(0);
        if (ttl > last) renewals++;
        last = ttl;
        return renewals >= 2 && Date.now() - entered > 200;
      }, 'the lock held and renewed past its first lease');
    });
    expect(await raw.get('{test:tokens}:lock')).toBeNull();
  });

  it('tells other processes of new tokens through pub/sub, without polling', async () => {
    const a = store();
    const readerClient = connect();
    let gets = 0;
    const originalGet = readerClient.get.bind(readerClient);
    readerClient.get = ((key: string) => {
      gets++;
      return originalGet(key);
    }) as typeof readerClient.get;
    const b = new RedisTokenStore({ redis: readerClient, key: 'test:tokens' });
    stores.push(b);
    await a.set({ accessToken: 'v1' });
    expect((await b.get())?.accessToken).toBe('v1'); // first read: from Redis
    // Once its subscription is confirmed (and read while live), b answers from its copy. Nothing
    // announces that moment: asked until it does.
    await waitFor(async () => {
      const gotBefore = gets;
      await b.get();
      return gets === gotBefore;
    }, 'b answers without reading Redis');
    const before = gets;
    const heard = new Promise((resolve) => b.subscribe(resolve));
    await a.set({ accessToken: 'v2' });
    expect(await heard).toEqual({ accessToken: 'v2' });
    expect((await b.get())?.accessToken).toBe('v2');
    expect((await b.get())?.accessToken).toBe('v2');
    expect(gets).toBe(before); // learned from the message, not by reading Redis again
  });

  it('never prints its tokens', async () => {
    const a = store();
    await a.set({ accessToken: 'secret-access-token' });
    expect(inspect(a)).not.toContain('secret');
    expect(JSON.stringify(a)).not.toContain('secret');
  });

  it('when Redis goes away: valid tokens keep working, a needed refresh fails with TokenRefreshError, nothing hangs', async () => {
    const api_ = await startTestServer();
    try {
      const tokens = store({ operationTimeoutMs: 300, lockTtlMs: 500 });
      await tokens.set(api_.issueTokens());
      const api = axios.create({ baseURL: api_.url });
      attachTokenRefresh(api, { tokens, retry: false });
      const client = createGraphQLClient(api);
      await expect(client.query(STUDENTS)).resolves.toBeTruthy();
      await server.kill();
      await expect(client.query(STUDENTS)).resolves.toBeTruthy(); // cached, still valid
      api_.expireAccessTokens();
      const errors = await Promise.all(Array.from({ length: 5 }, () => client.query(STUDENTS).catch((e) => e)));
      for (const e of errors) {
        expect(isTokenRefreshError(e)).toBe(true);
        expect(inspect(e, { depth: 6 })).not.toMatch(/at-\d+-[0-9a-f]{16}/); // no token in the rendering
      }
      expect(api_.stats.refreshes).toBe(0);
    } finally {
      await api_.close();
    }
  });
});
