import axios from 'axios';
import { attachTokenRefresh, createGraphQLClient, MemoryTokenStore, type TokenSet, type TokenStore } from '../../lib';
import { closeAll, harness, holdOperation, STUDENTS } from '../support/setup';

afterEach(closeAll);

describe('TokenRefreshHandle', () => {
  it('refresh() forces one refresh; concurrent calls join it', async () => {
    const h = await harness();
    const [a, b] = await Promise.all([h.auth.refresh(), h.auth.refresh()]);
    expect(a.accessToken).toBe(b.accessToken);
    expect(a.accessToken).not.toBe(h.initial.accessToken);
    expect(h.server.stats.refreshes).toBe(1);
    await h.client.query(STUDENTS);
    expect(h.studentRequests()).toEqual([a.accessToken]);
  });

  it('setTokens() converts expiresIn to expiresAt and getTokens() reads them back', async () => {
    const h = await harness({ tokens: 'none' });
    const before = Date.now();
    await h.auth.setTokens({ accessToken: h.initial.accessToken, refreshToken: h.initial.refreshToken, expiresIn: 900 });
    const tokens = (await h.auth.getTokens())!;
    expect(tokens.expiresAt! - tokens.issuedAt!).toBe(900_000);
    expect(tokens.issuedAt!).toBeGreaterThanOrEqual(before);
    await expect(h.auth.setTokens({ accessToken: '' } as TokenSet)).rejects.toThrow(
      /Expected `tokens.accessToken` to be a non-empty string/,
    );
  });

  it('stamps expiresAt from when the refresh was sent, not when its slow answer arrived', async () => {
    const h = await harness({}, { accessTtlSeconds: 60 });
    const refresh = holdOperation(h.server, 'RefreshToken');
    const pending = h.auth.refresh();
    await refresh.arrived;
    const arrivedAt = Date.now(); // the refresh was sent before this
    while (Date.now() === arrivedAt) await new Promise((resolve) => setImmediate(resolve)); // the clock moves on
    const answeredAfter = Date.now();
    refresh.release();
    const tokens = await pending;
    expect(tokens.issuedAt!).toBeLessThanOrEqual(arrivedAt);
    expect(tokens.issuedAt!).toBeLessThan(answeredAfter);
    expect(tokens.expiresAt! - tokens.issuedAt!).toBe(60_000);
  });

  it('login() without a login option is a clear TypeError', async () => {
    const h = await harness();
    await expect(h.auth.login()).rejects.toThrow(/`options.login`/);
  });

  it('detach() removes every interceptor: no token, no refresh', async () => {
    const h = await harness();
    h.auth.detach();
    h.server.expireAccessTokens();
    const error = await h.client.query(STUDENTS).catch((e) => e);
    expect(error.code).toBe('UNAUTHENTICATED');
    expect(h.studentRequests()).toEqual([undefined]);
    expect(h.server.stats.refreshes).toBe(0);
  });

  it('reports stats', async () => {
    const h = await harness();
    h.server.expireAccessTokens();
    await Promise.all([h.client.query(STUDENTS), h.client.query(STUDENTS)]);
    expect(h.auth.stats).toEqual({
      refreshes: 1,
      logins: 0,
      replays: 2,
      queued: 0,
      sessionExpired: 0,
      rateLimited: 0,
      waiting: 0,
      paced: 0,
    });
  });
});

describe('attachTokenRefresh(instance, { tokens }): token stores', () => {
  it.each([
    ['synchronous', false],
    ['asynchronous', true],
  ])('works with a %s custom store', async (_label, async) => {
    const h = await harness({ tokens: 'none' });
    let held: TokenSet | null = { accessToken: h.initial.accessToken, refreshToken: h.initial.refreshToken };
    const delay = () => new Promise((r) => setImmediate(r)); // a store that answers on a later turn, as I/O does
    const store: TokenStore = async
      ? { get: async () => (await delay(), held), set: async (t) => void (await delay(), (held = t)) }
      : { get: () => held, set: (t) => void (held = t) };
    const api = axios.create({ baseURL: h.server.url });
    attachTokenRefresh(api, { tokens: store });
    const client = createGraphQLClient(api);
    h.server.expireAccessTokens();
    await Promise.all(Array.from({ length: 50 }, () => client.query(STUDENTS)));
    expect(h.server.stats.refreshes).toBe(1);
    expect(held!.accessToken).not.toBe(h.initial.accessToken);
    expect(held!.refreshToken).toBe(h.initial.refreshToken);
  });

  it('uses the store lock around a refresh, and adopts tokens another holder stored meanwhile', async () => {
    const h = await harness({ tokens: 'none' });
    const inner = new MemoryTokenStore({ accessToken: h.initial.accessToken, refreshToken: h.initial.refreshToken });
    let locks = 0;
    const store: TokenStore = {
      get: () => inner.get(),
      set: (t) => inner.set(t),
      async lock(fn) {
        locks++;
        // Another process refreshed while we waited for the lock.
        inner.set({ ...h.server.issueTokens() });
        return fn();
      },
    };
    const api = axios.create({ baseURL: h.server.url });
    attachTokenRefresh(api, { tokens: store });
    const client = createGraphQLClient(api);
    await client.query(STUDENTS);
    h.server.expireAccessTokens();
    await client.query(STUDENTS);
    expect(locks).toBe(1);
    expect(h.server.stats.refreshes).toBe(0); // adopted instead of refreshing
  });
});
