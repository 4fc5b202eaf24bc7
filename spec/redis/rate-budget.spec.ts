import { isTokenRefreshError } from '../../lib';
import { eventually, redisPool } from '../support/redis-clients';
import { hasRedisServer, type RedisProcess, startRedisServer } from '../support/redis-server';

// RedisTokenStore.takeBudget: one rate budget shared by every store object on one key, kept in
// Redis by one Lua script (docs/scaling.md, "One rate budget"). Several store objects, each on a
// client of its own, stand for several processes.

const describeRedis = hasRedisServer() ? describe : describe.skip;

describeRedis('RedisTokenStore.takeBudget (real redis-server)', () => {
  let server: RedisProcess;
  const pool = redisPool(() => server);

  beforeEach(async () => {
    server = await startRedisServer();
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await pool.closeAll();
    await server.kill();
  });

  const request = { key: 'requests', limit: 12, windowMs: 60_000 };

  it('grants exactly `limit` of many concurrent asks from three store objects, then says how long until the oldest leaves', async () => {
    const stores = [pool.store(), pool.store(), pool.store()];
    const answers = await Promise.all(stores.flatMap((s) => Array.from({ length: 10 }, () => s.takeBudget(request))));
    const granted = answers.filter((a) => a.waitMs === 0);
    expect(granted).toHaveLength(12);
    for (const refused of answers.filter((a) => a.waitMs !== 0)) {
      expect(refused.waitMs).toBeGreaterThan(58_000); // the oldest was recorded a moment ago
      expect(refused.waitMs).toBeLessThanOrEqual(60_000);
    }
    // Every store object asked in the window: each says three share it.
    const again = await Promise.all(stores.map((s) => s.takeBudget(request)));
    expect(again.map((a) => a.sharers)).toEqual([3, 3, 3]);
  });

  it('counts sharers per store object asking in the window, refused asks included', async () => {
    const [a, b, c] = [pool.store(), pool.store(), pool.store()];
    const one = { key: 'logins', limit: 1, windowMs: 60_000 };
    expect(await a.takeBudget(one)).toMatchObject({ waitMs: 0, sharers: 1 });
    expect(await b.takeBudget(one)).toEqual({ waitMs: expect.any(Number), sharers: 2 }); // refused: nothing to tell
    expect((await c.takeBudget(one)).sharers).toBe(3);
    expect((await a.takeBudget(one)).sharers).toBe(3); // a is counted once, however often it asks
    // Another budget of the same store is counted apart.
    expect(await a.takeBudget(request)).toMatchObject({ waitMs: 0, sharers: 1 });
  });

  it.each([
    ['an hour ahead', 3_600_000],
    ['an hour behind', -3_600_000],
  ])(
    'runs on the clock of Redis, not of the process: a process whose clock is %s is still refused while the window is full',
    async (_, skew) => {
      const [a, b] = [pool.store(), pool.store()];
      const small = { key: 'requests', limit: 3, windowMs: 5_000 };
      for (let i = 0; i < 3; i++) expect((await a.takeBudget(small)).waitMs).toBe(0);
      const now = Date.now();
      jest.spyOn(Date, 'now').mockImplementation(() => now + skew);
      const refused = await b.takeBudget(small);
      expect(refused.waitMs).toBeGreaterThan(0);
      expect(refused.waitMs).toBeLessThanOrEqual(5_000);
    },
  );

  it("counts a granted send from its answer once told (answered()), on Redis' clock", async () => {
    const probe = pool.connect();
    const a = pool.store();
    const granted = await a.takeBudget(request);
    const score = async () => Number((await probe.zrange('{test:tokens}:sends:requests', 0, 0, 'WITHSCORES'))[1]);
    const grantedAt = await score();
    let later = 0;
    await eventually("Redis' clock passes the grant", async () => {
      const [seconds, micros] = await probe.time();
      later = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
      return later > grantedAt;
    });
    granted.answered!();
    await eventually('the send counted from its answer', async () => (await score()) >= later);
  });

  it('frees room as the window slides on Redis time, not before the window has passed', async () => {
    const a = pool.store();
    const small = { key: 'requests', limit: 2, windowMs: 300 };
    const first = Date.now();
    expect((await a.takeBudget(small)).waitMs).toBe(0);
    expect((await a.takeBudget(small)).waitMs).toBe(0);
    const refused = await a.takeBudget(small);
    expect(refused.waitMs).toBeGreaterThan(0);
    let grantedAt = 0;
    await eventually('room again', async () => (await a.takeBudget(small)).waitMs === 0 && (grantedAt = Date.now()) > 0);
    expect(grantedAt - first).toBeGreaterThanOrEqual(300 - 5); // timers and Redis read one clock, to the ms
  });

  it("keeps the budget under the store's hash tag, beside its other keys, expiring a window after the last ask", async () => {
    const probe = pool.connect();
    const a = pool.store({ key: 'app:tokens' });
    await a.takeBudget({ key: 'requests', limit: 5, windowMs: 4_000 });
    const keys = (await probe.keys('*')).sort();
    expect(keys).toEqual(['{app:tokens}:sends:requests', '{app:tokens}:sharers:requests']);
    for (const key of keys) {
      const ttl = await probe.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(4_000);
    }
    // Another deployment's key (or keyPrefix) has a budget of its own.
    const other = pool.store({ key: 'other:tokens' }, { keyPrefix: 'staging:' });
    for (let i = 0; i < 5; i++) expect((await other.takeBudget({ key: 'requests', limit: 5, windowMs: 4_000 })).waitMs).toBe(0);
    expect(await probe.exists('staging:{other:tokens}:sends:requests')).toBe(1);
  });

  it('rejects with TokenRefreshError at once when Redis is gone, so the plugin falls back to its share', async () => {
    const client = pool.connect({ retryStrategy: () => 1_000 });
    const a = pool.store({ redis: client, operationTimeoutMs: 60_000 });
    expect((await a.takeBudget(request)).waitMs).toBe(0);
    await server.kill();
    await eventually('the client notices', () => client.status === 'reconnecting');
    const started = Date.now();
    const error = await a.takeBudget(request).catch((e: unknown) => e);
    expect(isTokenRefreshError(error)).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_000); // not its 60 s deadline
  });

  it('refuses a malformed request with a TypeError', async () => {
    const a = pool.store();
    for (const bad of [
      { ...request, limit: 0 },
      { ...request, limit: 1.5 },
      { ...request, windowMs: Number.NaN },
      { ...request, key: 7 },
    ]) {
      await expect(a.takeBudget(bad as never)).rejects.toThrow(TypeError);
    }
  });
});
