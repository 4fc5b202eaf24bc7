import axios from 'axios';
import type Redis from 'ioredis';
import { attachTokenRefresh, createGraphQLClient } from '../../lib';
import type { RedisTokenStore } from '../../lib/redis';
import { startTestServer, type TestServer } from '../support/graphql-server';
import { eventually, redisPool } from '../support/redis-clients';
import { hasRedisServer, type RedisProcess, startRedisServer } from '../support/redis-server';
import { STUDENTS } from '../support/setup';

// Three "processes" (each its own ioredis client, store object and axios instance) sharing one rate
// budget through RedisTokenStore, against a real redis-server and a GraphQL server that records
// when each request arrived and from which process. Redis stalls or dies in the middle of a burst:
// each process goes on within its share of the limit (docs/rate-limits.md, "sharing across
// processes"), never the whole limit, and every request settles once.

const describeRedis = hasRedisServer() ? describe : describe.skip;

const LIMIT = 9;
const WINDOW = 1_000;
const SHARE = 3; // 9 among the 3 processes each has seen

describeRedis('a rate budget shared through RedisTokenStore, Redis lost mid-burst', () => {
  let redis: RedisProcess;
  let api: TestServer;
  const pool = redisPool(() => redis);

  beforeEach(async () => {
    redis = await startRedisServer();
    api = await startTestServer();
    log.length = 0;
    api.set({ beforeAuth: (request) => void log.push({ id: String(request.headers['x-process']), at: Date.now() }) });
  });
  afterEach(async () => {
    redis.resume();
    await pool.closeAll();
    await redis.kill();
    await api.close();
  });

  function processOf(store: RedisTokenStore, id: string) {
    const instance = axios.create({ baseURL: api.url, headers: { 'x-process': id } });
    attachTokenRefresh(instance, { tokens: store, retry: false, rateLimit: { intervalCap: LIMIT, interval: WINDOW } });
    const client = createGraphQLClient(instance, { coalesce: false }); // one request per call
    let n = 0;
    return (count: number) => Promise.all(Array.from({ length: count }, () => client.query(STUDENTS, { limit: 1 + (n++ % 3) })));
  }

  /** Three processes that asked the budget twice, all together: each has seen three share it. Resolves them and a client to look at Redis. */
  async function threeProcesses() {
    const stores = [
      pool.store({ operationTimeoutMs: 300 }),
      pool.store({ operationTimeoutMs: 300 }),
      pool.store({ operationTimeoutMs: 300 }),
    ];
    await stores[0]!.set(api.issueTokens());
    const processes = stores.map((s, i) => processOf(s, 'abc'[i]!));
    for (let round = 0; round < 2; round++) await Promise.all(processes.map((send) => send(1)));
    return { processes, probe: pool.connect() };
  }

  /** Resolves once Redis holds a full window of sends: nothing more can be granted before one leaves. */
  async function fullWindow(probe: Redis) {
    await eventually('a full window of sends in Redis', async () => {
      const [seconds, micros] = await probe.time();
      const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
      return (await probe.zcount('{test:tokens}:sends:requests', now - WINDOW, '+inf')) >= LIMIT;
    });
  }

  /** When each request arrived at the server (Date.now()), and from which process. */
  const log: Array<{ id: string; at: number }> = [];
  const arrivals = (id?: string) => log.filter((r) => id === undefined || r.id === id).map((r) => r.at);

  /** The most of `times` in any window (t - WINDOW, t] ending at an arrival from `from` on. */
  const mostInAWindow = (times: number[], from: number) =>
    Math.max(0, ...times.filter((t) => t >= from).map((t) => times.filter((u) => u > t - WINDOW && u <= t).length));

  it.each([
    ['stalls (SIGSTOP): each ask fails at its deadline', (r: RedisProcess) => Promise.resolve(r.pause())],
    ['dies (SIGKILL): each ask fails at once', (r: RedisProcess) => r.kill()],
  ])(
    'Redis %s: each process goes on within its share, and every request settles once',
    async (_, lose) => {
      const { processes, probe } = await threeProcesses();
      const burst = Promise.all(processes.map((send) => send(10)));
      await fullWindow(probe); // Redis grants nothing more before a send leaves the window: the rest wait
      const before = arrivals().length;
      const lostAt = Date.now();
      await lose(redis);
      const answers = await burst;

      expect(answers.flat()).toHaveLength(30);
      expect(arrivals()).toHaveLength(6 + 30); // the warm-up, then the burst: none sent twice
      expect(arrivals().length - before).toBeGreaterThan(3 * SHARE); // sent without Redis, more than a window's share
      // Sends granted by Redis before it was lost have all arrived: every window ending later holds a
      // send made without Redis, so no more than the process's share.
      const from = lostAt + 200;
      for (const id of ['a', 'b', 'c']) {
        expect(arrivals(id).filter((t) => t >= from).length).toBeGreaterThan(SHARE);
        expect(mostInAWindow(arrivals(id), from)).toBeLessThanOrEqual(SHARE);
      }
      expect(mostInAWindow(arrivals(), from)).toBeLessThanOrEqual(LIMIT);
    },
    30_000,
  );
});
