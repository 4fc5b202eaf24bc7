import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import Redis from 'ioredis';
import { type SandboxServer, startSandboxServer } from '../../lib/testing';
import { hasRedisServer, type RedisProcess, startRedisServer } from '../support/redis-server';
import { startWorker, type Worker } from '../support/workers';

// Several processes sharing one service account through RedisTokenStore, over real sockets: a real
// redis-server, the sandbox, and worker processes running the built package.

const describeRedis = hasRedisServer() ? describe : describe.skip;

describeRedis('RedisTokenStore across processes', () => {
  let redis: RedisProcess;
  let sandbox: SandboxServer;
  const workers: Worker[] = [];

  beforeAll(() => {
    // The workers run the package as users get it.
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: join(__dirname, '..', '..'), stdio: 'ignore' });
  }, 120_000);

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    await sandbox?.close();
    await redis?.kill();
  });

  async function seed(key: string) {
    const client = new Redis({ port: redis.port, host: '127.0.0.1' });
    const { default: axios } = await import('axios');
    const { data } = await axios.post(sandbox.url, {
      query: 'mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken refreshToken expiresIn } }',
      variables: { u: sandbox.username, p: sandbox.password },
    });
    await client.set(key, JSON.stringify(data.data.login));
    await client.quit();
  }

  it('4 processes × 100 concurrent queries meet an expired token, refresh tokens rotating: exactly 1 refresh', async () => {
    redis = await startRedisServer();
    sandbox = await startSandboxServer({ rotateRefreshTokens: true, rateLimits: false });
    await seed('app:tokens');
    const env = { STORE: 'redis', REDIS_PORT: String(redis.port), KEY: 'app:tokens', URL: sandbox.url, ROTATING: '1', CONCURRENCY: '100' };
    for (let i = 0; i < 4; i++) workers.push(startWorker(env));
    await Promise.all(workers.map((w) => w.next('ready')));
    workers.forEach((w) => w.send('warm'));
    await Promise.all(workers.map((w) => w.next('warmed')));
    const before = { ...sandbox.stats };

    sandbox.expireAccessTokens();
    workers.forEach((w) => w.send('go'));
    const reports = await Promise.all(workers.map((w) => w.next<{ answered: number; errors: string[] }>('done')));

    expect(reports.map((r) => r.errors)).toEqual([[], [], [], []]); // no "Invalid or expired refresh token", nothing else
    expect(reports.reduce((n, r) => n + r.answered, 0)).toBe(400);
    expect(sandbox.stats.refreshes - before.refreshes).toBe(1);
    expect(sandbox.stats.logins - before.logins).toBe(0);
  }, 60_000);

  it('3 processes × 15 queries at once under one per-user limit, the same limit given to each: one budget in Redis, at most one declined', async () => {
    // The sandbox counts 10 a user per fixed window of 500 ms; each client is told the same. Paced
    // alone, each process would send 10 a window: 30 against the account's 10.
    redis = await startRedisServer();
    sandbox = await startSandboxServer({ rateLimits: { perUser: 10, perIp: 10_000, login: 5, windowMs: 500 } });
    const env = {
      STORE: 'redis',
      REDIS_PORT: String(redis.port),
      KEY: 'app:tokens',
      URL: sandbox.url,
      USERNAME: sandbox.username,
      PASSWORD: sandbox.password,
      RATE_CAP: '10',
      RATE_INTERVAL: '500',
      DISTINCT: '1',
      CONCURRENCY: '15',
    };
    for (let i = 0; i < 3; i++) workers.push(startWorker({ ...env, OFFSET: String(100 * i) }));
    await Promise.all(workers.map((w) => w.next('ready')));
    workers.forEach((w) => w.send('warm'));
    await Promise.all(workers.map((w) => w.next('warmed')));

    workers.forEach((w) => w.send('go'));
    const reports = await Promise.all(workers.map((w) => w.next<{ answered: number; errors: string[] }>('done')));

    expect(reports.map((r) => r.errors)).toEqual([[], [], []]);
    expect(reports.reduce((n, r) => n + r.answered, 0)).toBe(45);
    expect(sandbox.stats.rateLimited).toBeLessThanOrEqual(1);
    expect(sandbox.stats.logins).toBe(1); // one login for the three, through the lock
    // The login, three warm-up queries, the burst; a declined query is sent once more.
    expect(sandbox.stats.requests).toBe(1 + 3 + 45 + sandbox.stats.rateLimited);
  }, 60_000);

  it('a lock holder killed (SIGKILL) mid-refresh: the lease expires, another process refreshes, every request settles', async () => {
    redis = await startRedisServer();
    sandbox = await startSandboxServer({ rotateRefreshTokens: true, rateLimits: false });
    await seed('app:tokens');
    const env = {
      STORE: 'redis',
      REDIS_PORT: String(redis.port),
      KEY: 'app:tokens',
      URL: sandbox.url,
      ROTATING: '1',
      CONCURRENCY: '50',
      LOCK_TTL_MS: '600',
    };
    const doomed = startWorker({ ...env, HANG: '1', CONCURRENCY: '5' });
    const survivor = startWorker(env);
    workers.push(doomed, survivor);
    await Promise.all([doomed.next('ready'), survivor.next('ready')]);
    doomed.send('warm');
    survivor.send('warm');
    await Promise.all([doomed.next('warmed'), survivor.next('warmed')]);

    sandbox.expireAccessTokens();
    doomed.send('go');
    await doomed.next('refreshing'); // it holds the lock now
    doomed.child.kill('SIGKILL');
    survivor.send('go');
    const report = await survivor.next<{ answered: number; errors: string[] }>('done');

    expect(report.errors).toEqual([]);
    expect(report.answered).toBe(50);
    expect(sandbox.stats.refreshes).toBe(1); // the survivor's; the dead holder never sent one
  }, 60_000);
});
