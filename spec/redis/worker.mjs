// One "process of the application" for the multi-process tests and scripts/scaling.mjs: a
// NextSchool client on the built package, sharing tokens through Redis (STORE=redis) or keeping its
// own (STORE=memory). Driven by its parent over IPC: warm → go → report.
//
// HANG=1 makes its refresh hang forever after taking the lock (the parent then SIGKILLs it).
// RATE_CAP / RATE_INTERVAL: the client's `rateLimit` (none by default); DISTINCT=1: each query of a
// burst its own variables (OFFSET + i), so that none is coalesced with another.
import { Redis } from 'ioredis';
import { attachTokenRefresh, createGraphQLClient, gql, MemoryTokenStore } from '../../dist/index.mjs';
import { createNextSchoolClient } from '../../dist/nextschool.mjs';
import { RedisTokenStore } from '../../dist/redis.mjs';

const env = process.env;
const STUDENTS = gql`query Students($limit: Int) { students(limit: $limit) { id } }`;
const PAGE = gql`query Page($limit: Int, $offset: Int) { students(limit: $limit, offset: $offset) { id } }`;
const redis =
  env.STORE === 'redis'
    ? new Redis({ port: Number(env.REDIS_PORT), host: '127.0.0.1', maxRetriesPerRequest: 1, disconnectTimeout: 100 })
    : undefined;
redis?.on('error', () => {});
const tokens = redis
  ? new RedisTokenStore({ redis, key: env.KEY, lockTtlMs: Number(env.LOCK_TTL_MS) || 10_000 })
  : new MemoryTokenStore(JSON.parse(env.TOKENS));
const rotating = env.ROTATING === '1';

let query;
if (env.HANG === '1') {
  const api = (await import('axios')).default.create({ baseURL: env.URL });
  attachTokenRefresh(api, {
    tokens,
    rotatingRefreshTokens: rotating,
    refreshTimeoutMs: 1_000, // how long the store keeps the lock of a holder that stopped renewing, past its lease
    refresh: () => {
      process.send({ refreshing: true });
      return new Promise(() => {}); // holds the lock until the parent kills this process
    },
  });
  const client = createGraphQLClient(api);
  query = () => client.query(STUDENTS, { limit: 1 });
} else {
  const ns = createNextSchoolClient({
    url: env.URL,
    tokens,
    rotatingRefreshTokens: rotating,
    // Without RATE_CAP, none: 100 queries at once against a sandbox without limits are more than the preset's 60 a minute.
    rateLimit: env.RATE_CAP ? { intervalCap: Number(env.RATE_CAP), interval: Number(env.RATE_INTERVAL) } : false,
    ...(env.USERNAME ? { username: env.USERNAME, password: env.PASSWORD } : {}),
  });
  const offset = Number(env.OFFSET) || 0;
  query = (i) => (env.DISTINCT === '1' ? ns.query(PAGE, { limit: 1, offset: offset + i }) : ns.query(STUDENTS, { limit: 1 }));
}

process.on('message', async (message) => {
  if (message.cmd === 'warm') {
    await query(0);
    process.send({ warmed: true });
  } else if (message.cmd === 'go') {
    const outcomes = await Promise.allSettled(Array.from({ length: Number(env.CONCURRENCY) || 100 }, (_, i) => query(i)));
    const errors = outcomes.filter((o) => o.status === 'rejected').map((o) => `${o.reason?.code ?? o.reason?.name}: ${o.reason?.message}`);
    process.send({ done: true, answered: outcomes.length - errors.length, errors });
  } else if (message.cmd === 'exit') {
    await tokens.close?.();
    await redis?.quit().catch(() => {});
    process.exit(0);
  }
});
process.send({ ready: true });
