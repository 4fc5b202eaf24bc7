import axios from 'axios';
import {
  isLoginError,
  isSessionExpiredError,
  isTokenRefreshError,
  LoginError,
  type SessionExpiredError,
  type TokenSet,
  type TokenStore,
} from '../../lib';
import { deferred, waitFor } from '../support/events';
import { closeAll, harness, holdOperation, STUDENTS } from '../support/setup';

afterEach(closeAll);

describe('attachTokenRefresh(instance): refresh rejected, the session ends', () => {
  it('rejects every waiter with SessionExpiredError, fires onSessionExpired once, then fails fast without the network', async () => {
    const expired: SessionExpiredError[] = [];
    const h = await harness({ onSessionExpired: (e) => expired.push(e) });
    h.server.revokeRefreshTokens();
    h.server.expireAccessTokens();
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => h.client.query(STUDENTS)));
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      expect(isSessionExpiredError((outcome as PromiseRejectedResult).reason)).toBe(true);
    }
    expect(expired).toHaveLength(1);
    expect(h.server.stats.refreshes).toBe(1);
    expect(await h.auth.getTokens()).toBeNull();
    expect(h.auth.stats.sessionExpired).toBe(1);

    const before = h.server.stats.requests;
    const later = await h.client.query(STUDENTS).catch((e) => e);
    expect(isSessionExpiredError(later)).toBe(true);
    expect(later.code).toBe('SESSION_EXPIRED');
    expect(h.server.stats.requests).toBe(before);
    expect(expired).toHaveLength(1);

    // setTokens ends the fail-fast state.
    await h.auth.setTokens(h.server.issueTokens());
    await expect(h.client.query(STUDENTS)).resolves.toBeTruthy();
  });

  it('tries login once when the refresh token is rejected, and carries on with its tokens', async () => {
    let logins = 0;
    const h = await harness({
      login: async () => {
        logins++;
        return h.server.issueTokens();
      },
    });
    h.server.revokeRefreshTokens();
    h.server.expireAccessTokens();
    const results = await Promise.all(Array.from({ length: 10 }, () => h.client.query(STUDENTS)));
    expect(results).toHaveLength(10);
    expect(logins).toBe(1);
    expect(h.server.stats.refreshes).toBe(1);
  });

  it('ends the session when the login fallback is rejected too', async () => {
    const fired: unknown[] = [];
    const h = await harness({
      login: async () => {
        throw new LoginError('Invalid credentials');
      },
      onSessionExpired: (e) => fired.push(e),
    });
    h.server.revokeRefreshTokens();
    h.server.expireAccessTokens();
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => h.client.query(STUDENTS)));
    outcomes.forEach((o) => expect(isSessionExpiredError((o as PromiseRejectedResult).reason)).toBe(true));
    expect(fired).toHaveLength(1);
    expect(isLoginError((fired[0] as SessionExpiredError).cause)).toBe(true);
  });

  it('keeps the tokens and retries on the next request when a login fails for a transient reason', async () => {
    let attempts = 0;
    const h = await harness({
      tokens: 'none',
      login: async () => {
        attempts++;
        if (attempts === 1) throw new Error('socket hang up');
        return h.server.issueTokens();
      },
    });
    const first = await h.client.query(STUDENTS).catch((e) => e);
    expect(isTokenRefreshError(first)).toBe(true);
    await expect(h.client.query(STUDENTS)).resolves.toBeTruthy();
    expect(attempts).toBe(2);
  });

  it('logs in lazily, once, for concurrent requests when there are no tokens', async () => {
    let logins = 0;
    const loginMayEnd = deferred();
    // An empty store that counts reads: each request reads it once before deciding to log in.
    let held: TokenSet | null = null;
    let reads = 0;
    const store: TokenStore = { get: () => (reads++, held), set: (t) => void (held = t) };
    const h = await harness({
      tokens: store,
      login: async () => {
        logins++;
        await loginMayEnd.promise;
        return h.server.issueTokens();
      },
    });
    const calls = Array.from({ length: 25 }, () => h.client.query(STUDENTS));
    // All 25 found no tokens while the one login was running.
    await waitFor(() => reads >= 25, '25 requests to find the store empty');
    loginMayEnd.resolve();
    await Promise.all(calls);
    expect(logins).toBe(1);
    expect(h.server.stats.unauthenticated).toBe(0);
  });

  it('fails fast with LoginError after credentials were rejected, until login() is called', async () => {
    let ok = false;
    let attempts = 0;
    const h = await harness({
      tokens: 'none',
      login: async () => {
        attempts++;
        if (!ok) throw new LoginError('Invalid credentials');
        return h.server.issueTokens();
      },
    });
    expect(isLoginError(await h.client.query(STUDENTS).catch((e) => e))).toBe(true);
    expect(isLoginError(await h.client.query(STUDENTS).catch((e) => e))).toBe(true);
    expect(attempts).toBe(1); // never retried automatically
    ok = true;
    await h.auth.login();
    await expect(h.client.query(STUDENTS)).resolves.toBeTruthy();
  });
});

describe('attachTokenRefresh(instance, { refreshTimeoutMs }): transient refresh failures', () => {
  it.each(['http500', 'html', 'text200', 'network'] as const)(
    'keeps the tokens and rejects waiters with TokenRefreshError on %s, then recovers',
    async (fault) => {
      const h = await harness();
      h.server.set({ refreshFault: fault });
      h.server.expireAccessTokens();
      const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => h.client.query(STUDENTS)));
      for (const o of outcomes) {
        const reason = (o as PromiseRejectedResult).reason;
        expect(isTokenRefreshError(reason)).toBe(true);
        expect(reason.code).toBe('REFRESH_FAILED');
      }
      expect((await h.auth.getTokens())?.refreshToken).toBe(h.initial.refreshToken);
      h.server.set({ refreshFault: 'none' });
      await expect(h.client.query(STUDENTS)).resolves.toBeTruthy();
    },
  );

  it('gives up a hung refresh at refreshTimeoutMs', async () => {
    const h = await harness({ refreshTimeoutMs: 300 });
    h.server.set({ refreshFault: 'hang' });
    h.server.expireAccessTokens();
    const error = await h.client.query(STUDENTS).catch((e) => e); // would hang past jest's timeout without the deadline
    expect(isTokenRefreshError(error)).toBe(true);
    expect(error.message).toMatch(/timed out after 300 ms/);
    expect((await h.auth.getTokens())?.accessToken).toBe(h.initial.accessToken);
  });

  it('does not cancel the refresh when one waiting caller gives up', async () => {
    const h = await harness();
    const refresh = holdOperation(h.server, 'RefreshToken');
    h.server.expireAccessTokens();
    const controller = new AbortController();
    const quitter = h.client.query(STUDENTS, {}, { signal: controller.signal });
    const stayers = Array.from({ length: 5 }, () => h.client.query(STUDENTS));
    await refresh.arrived;
    controller.abort();
    const quit = await quitter.catch((e) => e);
    expect(axios.isCancel(quit)).toBe(true);
    refresh.release();
    const answers = await Promise.all(stayers);
    expect(answers).toHaveLength(5);
    expect(h.server.stats.refreshes).toBe(1);
  });
});

describe('attachTokenRefresh(instance): every request settles once', () => {
  it('rejects a request aborted while held at the gate with CanceledError at once; the others complete', async () => {
    const h = await harness();
    const refresh = holdOperation(h.server, 'RefreshToken');
    h.server.expireAccessTokens();
    let refreshEnded = false;
    const trigger = h.client.query(STUDENTS).finally(() => (refreshEnded = true));
    await refresh.arrived;
    const controller = new AbortController();
    const held = h.client.query(STUDENTS, {}, { signal: controller.signal });
    const others = Array.from({ length: 3 }, () => h.client.query(STUDENTS));
    await waitFor(() => h.auth.stats.queued === 4, 'four requests held at the gate');
    controller.abort();
    // Rejected while the server still holds the refresh: at once, not when the refresh ends.
    const error = await held.catch((e) => e);
    expect(axios.isCancel(error)).toBe(true);
    expect(refreshEnded).toBe(false);
    refresh.release();
    await expect(Promise.all([trigger, ...others])).resolves.toHaveLength(4);
    expect(h.studentRequests()).toHaveLength(1 + 1 + 3); // the aborted request never went out
  });

  it('rejects at once with CanceledError when a legacy cancelToken fires while waiting', async () => {
    const h = await harness();
    const refresh = holdOperation(h.server, 'RefreshToken');
    h.server.expireAccessTokens();
    const trigger = h.client.query(STUDENTS);
    await refresh.arrived;
    const source = axios.CancelToken.source();
    const held = h.client.query(STUDENTS, {}, { cancelToken: source.token });
    await waitFor(() => h.auth.stats.queued === 1, 'the request held at the gate');
    source.cancel('user left');
    expect(axios.isCancel(await held.catch((e) => e))).toBe(true);
    refresh.release();
    await trigger;
    expect(h.studentRequests()).toHaveLength(2); // the trigger and its replay; the cancelled one never went out
  });

  it('settles each of many mixed requests exactly once', async () => {
    const h = await harness({ refreshTimeoutMs: 10_000 });
    const refresh = holdOperation(h.server, 'RefreshToken');
    h.server.expireAccessTokens();
    let settled = 0;
    const controllers = Array.from({ length: 30 }, () => new AbortController());
    const calls = controllers.map((c, i) => h.client.query(STUDENTS, {}, i % 5 === 0 ? { signal: c.signal } : {}).finally(() => settled++));
    await refresh.arrived;
    controllers.forEach((c, i) => i % 10 === 0 && c.abort());
    refresh.release();
    const outcomes = await Promise.allSettled(calls);
    expect(settled).toBe(30);
    outcomes.forEach((o, i) => {
      if (i % 10 === 0) expect(o.status === 'rejected' && axios.isCancel(o.reason)).toBe(true);
      else expect(o.status).toBe('fulfilled');
    });
  });
});
