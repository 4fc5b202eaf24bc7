import axios, { type AxiosInstance } from 'axios';
import { attachTokenRefresh, MemoryTokenStore } from '../../lib';
import { deferred, waitFor } from '../support/events';
import { closeAll, harness, holdOperation, STUDENTS } from '../support/setup';

afterEach(closeAll);

describe('attachTokenRefresh(instance): detecting an auth error in any answer', () => {
  it.each(['field', 'request', 'http401'] as const)(
    'refreshes and answers when the server rejects the token (%s-level)',
    async (authMode) => {
      const h = await harness({}, { authMode });
      h.server.expireAccessTokens();
      const data = await h.client.query(STUDENTS, { limit: 2 });
      expect(data.students).toHaveLength(2);
      expect(h.server.stats.refreshes).toBe(1);
      const tokens = h.studentRequests();
      expect(tokens).toHaveLength(2);
      expect(tokens[0]).toBe(h.initial.accessToken);
      expect(tokens[1]).not.toBe(h.initial.accessToken);
    },
  );
});

describe('attachTokenRefresh(instance): one refresh for many requests', () => {
  it('refreshes once for 200 concurrent queries on an expired token, and answers all 200', async () => {
    const h = await harness();
    h.server.expireAccessTokens();
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => h.client.query(STUDENTS, { limit: 1 + (i % 3) })));
    expect(results).toHaveLength(200);
    results.forEach((r, i) => expect(r.students).toHaveLength(1 + (i % 3)));
    expect(h.server.stats.refreshes).toBe(1);
    expect(h.auth.stats.refreshes).toBe(1);
    // Unknown expiry: each request may be sent twice at most, plus the one refresh; every request
    // answered UNAUTHENTICATED is replayed once (the herd leaves in slices: those that had not left
    // when the refresh started leave once, with the new token).
    expect(h.server.stats.requests).toBeLessThanOrEqual(2 * 200 + 1);
    expect(h.auth.stats.replays).toBe(h.server.stats.unauthenticated);
    expect(h.server.stats.requests).toBe(200 + 1 + h.server.stats.unauthenticated);
  }, 60_000); // ~400 HTTP exchanges through graphql-js: 2 s alone, over 20 s on a machine this busy
});

describe('attachTokenRefresh(instance): the token-version rule', () => {
  it('replays an answer that arrives late with the old token without a second refresh', async () => {
    const h = await harness();
    const lateArrived = deferred();
    const held = deferred();
    let first = true;
    h.server.set({
      beforeAuth: async (req) => {
        if (req.operationName === 'Students' && first) {
          first = false;
          lateArrived.resolve();
          await held.promise; // answered only after the refresh below has completed
        }
      },
    });
    const late = h.client.query(STUDENTS, { limit: 1 });
    await lateArrived.promise; // it reached the server with the old token
    h.server.expireAccessTokens();
    await h.client.query(STUDENTS, { limit: 2 }); // fails, refreshes, replays
    expect(h.server.stats.refreshes).toBe(1);
    held.resolve();
    const answer = await late;
    expect(answer.students).toHaveLength(1);
    expect(h.server.stats.refreshes).toBe(1);
    expect(h.auth.stats.refreshes).toBe(1);
    const tokens = h.studentRequests();
    expect(tokens.filter((t) => t === h.initial.accessToken)).toHaveLength(2);
  });
});

describe('attachTokenRefresh(instance): the gate holds requests while a refresh runs', () => {
  it('holds requests made while a refresh runs, and sends them once, with the new token', async () => {
    const h = await harness();
    const refresh = holdOperation(h.server, 'RefreshToken');
    h.server.expireAccessTokens();
    const trigger = h.client.query(STUDENTS, { limit: 1 });
    await refresh.arrived; // the refresh is now running (held by the server)
    const heldBack = Array.from({ length: 10 }, () => h.client.query(STUDENTS, { limit: 1 }));
    await waitFor(() => h.auth.stats.queued === 10, 'ten requests held at the gate');
    refresh.release();
    await Promise.all([trigger, ...heldBack]);
    const tokens = h.studentRequests();
    expect(h.server.stats.refreshes).toBe(1);
    // Only the trigger went out with the old token; the ten held requests went out once each.
    expect(tokens.filter((t) => t === h.initial.accessToken)).toHaveLength(1);
    expect(tokens).toHaveLength(1 + 1 + 10);
    expect(h.auth.stats.queued).toBe(10);
  });
});

describe('attachTokenRefresh(instance, { refreshAheadMs }): proactive refresh', () => {
  it('refreshes an expired token before sending, so the server never sees it', async () => {
    const h = await harness({ tokens: 'none' });
    await h.auth.setTokens({ accessToken: h.initial.accessToken, refreshToken: h.initial.refreshToken, expiresAt: Date.now() - 1000 });
    await Promise.all(Array.from({ length: 5 }, () => h.client.query(STUDENTS)));
    expect(h.server.stats.refreshes).toBe(1);
    expect(h.studentRequests()).not.toContain(h.initial.accessToken);
    expect(h.server.stats.unauthenticated).toBe(0);
  });

  it('refreshes once in the background when the token nears expiry, while requests keep using it', async () => {
    const h = await harness({ tokens: 'none', refreshAheadMs: 60_000 });
    const now = Date.now();
    await h.auth.setTokens({
      accessToken: h.initial.accessToken,
      refreshToken: h.initial.refreshToken,
      issuedAt: now - 870_000,
      expiresAt: now + 30_000,
    });
    const refresh = holdOperation(h.server, 'RefreshToken');
    await Promise.all(Array.from({ length: 5 }, () => h.client.query(STUDENTS)));
    // All five were answered while the refresh was still held: none waited for it.
    expect(h.studentRequests()).toEqual(Array(5).fill(h.initial.accessToken));
    await refresh.arrived;
    refresh.release();
    await waitFor(
      async () => (await h.auth.getTokens())?.accessToken !== h.initial.accessToken,
      'the background refresh stored its tokens',
    );
    expect(h.server.stats.refreshes).toBe(1);
    await h.client.query(STUDENTS);
    expect(h.studentRequests()[5]).not.toBe(h.initial.accessToken);
    expect(h.server.stats.refreshes).toBe(1);
    expect(h.server.stats.unauthenticated).toBe(0);
  });

  it('caps the lead at half the lifetime, so a short-lived token is not refreshed on every request', async () => {
    const h = await harness({ tokens: 'none', refreshAheadMs: 60_000 });
    await h.auth.setTokens({ accessToken: h.initial.accessToken, refreshToken: h.initial.refreshToken, expiresIn: 10 });
    await Promise.all(Array.from({ length: 5 }, () => h.client.query(STUDENTS)));
    // A background refresh starts when a request is sent (stats count it at its start): none did.
    expect(h.auth.stats.refreshes).toBe(0);
    await h.client.query(STUDENTS);
    expect(h.auth.stats.refreshes).toBe(0);
    expect(h.studentRequests()).toEqual(Array(6).fill(h.initial.accessToken));
    expect(h.server.received.filter((r) => r.operationName === 'RefreshToken')).toHaveLength(0);
  });
});

describe('attachTokenRefresh(instance): attachments sharing a store', () => {
  /** Two axios instances, each with the plugin attached, sharing one MemoryTokenStore. */
  async function twoOnOneStore() {
    const h = await harness();
    const store = new MemoryTokenStore({ accessToken: h.initial.accessToken, refreshToken: h.initial.refreshToken });
    const [a, b] = [0, 1].map(() => {
      const api = axios.create({ baseURL: h.server.url });
      attachTokenRefresh(api, { tokens: store });
      return api;
    }) as [AxiosInstance, AxiosInstance];
    return { h, store, a, b, body: { query: STUDENTS.source, operationName: 'Students' } };
  }

  it('shares one refresh between two instances sharing one token store', async () => {
    const { h, a, b, body } = await twoOnOneStore();
    h.server.expireAccessTokens();
    const answers = await Promise.all([
      ...Array.from({ length: 20 }, () => a.post('', body)),
      ...Array.from({ length: 20 }, () => b.post('', body)),
    ]);
    answers.forEach((r) => expect(r.data.data.students.length).toBeGreaterThan(0));
    expect(h.server.stats.refreshes).toBe(1);
  });

  it('replays with the new token when joining a refresh another attachment runs', async () => {
    const { h, store, a, b, body } = await twoOnOneStore();
    // All ten go out with the old token at once; whichever attachment refreshes, the other's failures
    // arrive while that refresh runs and join it.
    const refresh = holdOperation(h.server, 'RefreshToken');
    h.server.expireAccessTokens();
    const calls = Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).post('', body));
    await refresh.arrived;
    await waitFor(() => h.studentRequests().length === 10, 'all ten sent with the old token');
    refresh.release();
    const answers = await Promise.all(calls);
    answers.forEach((r) => expect(r.data.data?.students?.length).toBeGreaterThan(0));
    expect(h.server.stats.refreshes).toBe(1);
    const fresh = store.get()!.accessToken;
    // Every replay, from both attachments, carried the token the one refresh produced.
    expect(h.studentRequests().filter((t) => t === fresh)).toHaveLength(10);
  });
});
