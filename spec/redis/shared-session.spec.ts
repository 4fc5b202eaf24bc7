import axios from 'axios';
import { attachTokenRefresh, createGraphQLClient, isSessionExpiredError, type TokenSet } from '../../lib';
import type { RedisTokenStore } from '../../lib/redis';
import { startTestServer, type TestServer } from '../support/graphql-server';
import { deferred, redisPool } from '../support/redis-clients';
import { hasRedisServer, type RedisProcess, startRedisServer } from '../support/redis-server';
import { STUDENTS } from '../support/setup';

// The plugin on RedisTokenStore, two "processes" (each its own ioredis client and store object, as
// two processes have) against a real redis-server and a real GraphQL server: a session end heard
// by every process, and conditional writes across processes (docs/scaling.md, guarantees 3 and 4).

const describeRedis = hasRedisServer() ? describe : describe.skip;

describeRedis('attachTokenRefresh on RedisTokenStore, two processes', () => {
  let redis: RedisProcess;
  let api: TestServer;
  const pool = redisPool(() => redis);

  beforeEach(async () => {
    redis = await startRedisServer();
    api = await startTestServer();
  });
  afterEach(async () => {
    await pool.closeAll();
    await redis.kill();
    await api.close();
  });

  function processOf(store: RedisTokenStore, options: Partial<Parameters<typeof attachTokenRefresh>[1]> = {}) {
    const expired: Error[] = [];
    const ended = deferred<Error>();
    const instance = axios.create({ baseURL: api.url });
    const auth = attachTokenRefresh(instance, {
      tokens: store,
      retry: false,
      onSessionExpired: (error) => {
        expired.push(error);
        ended.resolve(error);
      },
      ...options,
    });
    return { auth, client: createGraphQLClient(instance), expired, ended: ended.promise };
  }

  async function twoProcesses(options: Partial<Parameters<typeof attachTokenRefresh>[1]> = {}) {
    const storeA = pool.store();
    await storeA.set(api.issueTokens());
    const a = processOf(storeA, options);
    const b = processOf(pool.store(), options);
    await a.client.query(STUDENTS);
    await b.client.query(STUDENTS);
    return { a, b, storeA };
  }

  it('A’s refresh is rejected: B’s onSessionExpired fires once, and B fails fast with SessionExpiredError without a request', async () => {
    const { a, b } = await twoProcesses();
    api.set({ refreshFault: 'reject' });
    api.expireAccessTokens();
    expect(isSessionExpiredError(await a.client.query(STUDENTS).catch((e: unknown) => e))).toBe(true);
    await b.ended;
    const sent = api.stats.requests;
    expect(isSessionExpiredError(await b.client.query(STUDENTS).catch((e: unknown) => e))).toBe(true);
    expect(api.stats.requests).toBe(sent);
    expect(b.expired).toHaveLength(1);
    expect(a.expired).toHaveLength(1);
  });

  it('setTokens(null) in A (a logout): B’s onSessionExpired fires, B fails fast without a request', async () => {
    const { a, b } = await twoProcesses();
    await a.auth.setTokens(null);
    await b.ended;
    const sent = api.stats.requests;
    expect(isSessionExpiredError(await b.client.query(STUDENTS).catch((e: unknown) => e))).toBe(true);
    expect(api.stats.requests).toBe(sent);
  });

  it('B switches account while A refreshes: A’s result is discarded and A’s request goes out with B’s tokens', async () => {
    const inRefresh = deferred();
    const switched = deferred();
    let fromRefresh: TokenSet | undefined;
    const { a, b } = await twoProcesses({
      refresh: async () => {
        inRefresh.resolve();
        await switched.promise;
        fromRefresh = api.issueTokens();
        return fromRefresh;
      },
    });
    api.expireAccessTokens();
    const other = api.issueTokens(); // "bob", issued after the expiry
    const request = a.client.query(STUDENTS);
    await inRefresh.promise;
    await b.auth.setTokens(other);
    switched.resolve();
    await expect(request).resolves.toBeTruthy();
    expect(api.received.at(-1)!.authorization).toBe(`Bearer ${other.accessToken}`);
    expect((await pool.store().get())?.accessToken).toBe(other.accessToken);
    expect(fromRefresh).toBeDefined();
  });

  it('B logs out while A refreshes: the logout stands, A’s waiting request fails with SessionExpiredError', async () => {
    const inRefresh = deferred();
    const loggedOut = deferred();
    const { a, b } = await twoProcesses({
      refresh: async () => {
        inRefresh.resolve();
        await loggedOut.promise;
        return api.issueTokens();
      },
    });
    api.expireAccessTokens();
    const request = a.client.query(STUDENTS);
    await inRefresh.promise;
    await b.auth.setTokens(null);
    loggedOut.resolve();
    expect(isSessionExpiredError(await request.catch((e: unknown) => e))).toBe(true);
    expect(await pool.store().get()).toBeNull();
  });
});
