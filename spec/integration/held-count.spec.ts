import diagnostics from 'node:diagnostics_channel';
import { deferred } from '../support/events';
import { closeAll, harness, holdOperation, STUDENTS } from '../support/setup';

// Every request that waits before sending for a flight (a refresh of a token known to be expired, a
// login) counts once in `stats.queued` and publishes `held` once when it is released
// (docs/observability.md) — whether it arrived in the same tick as the request that started the
// flight, or while the flight was already holding the gate.

afterEach(closeAll);

function recordHeld() {
  const held: Array<Record<string, unknown>> = [];
  const listener = (message: unknown) => held.push(message as Record<string, unknown>);
  diagnostics.subscribe('axios-graphql-refresh:held', listener);
  return { held, stop: () => diagnostics.unsubscribe('axios-graphql-refresh:held', listener) };
}

const N = 20;

describe('attachTokenRefresh(instance): stats.queued and the held event', () => {
  it(`count all ${N} requests issued in one tick after a known expiry, each once`, async () => {
    const h = await harness({ tokens: 'none' });
    await h.auth.setTokens({ accessToken: h.initial.accessToken, refreshToken: h.initial.refreshToken, expiresAt: Date.now() - 1_000 });
    const rec = recordHeld();
    try {
      const refresh = holdOperation(h.server, 'RefreshToken');
      const requests = Array.from({ length: N }, () => h.client.query(STUDENTS));
      await refresh.arrived;
      refresh.release();
      await Promise.all(requests);
      expect(h.server.stats.refreshes).toBe(1);
      expect(h.studentRequests()).toHaveLength(N);
      expect(h.auth.stats.queued).toBe(N);
      expect(rec.held).toHaveLength(N);
      for (const message of rec.held)
        expect(message).toEqual(expect.objectContaining({ durationMs: expect.any(Number), generation: expect.any(Number) }));
    } finally {
      rec.stop();
    }
  });

  it(`count the same ${N} when they are spread out (the first starts the refresh, the others find the gate held)`, async () => {
    const h = await harness({ tokens: 'none' });
    await h.auth.setTokens({ accessToken: h.initial.accessToken, refreshToken: h.initial.refreshToken, expiresAt: Date.now() - 1_000 });
    const rec = recordHeld();
    try {
      const refresh = holdOperation(h.server, 'RefreshToken');
      const first = h.client.query(STUDENTS);
      await refresh.arrived;
      const others = Array.from({ length: N - 1 }, () => h.client.query(STUDENTS));
      refresh.release();
      await Promise.all([first, ...others]);
      expect(h.server.stats.refreshes).toBe(1);
      expect(h.auth.stats.queued).toBe(N);
      expect(rec.held).toHaveLength(N);
    } finally {
      rec.stop();
    }
  });

  it(`count all ${N} requests issued in one tick with no token, while the login runs`, async () => {
    const loginMay = deferred();
    let logins = 0;
    const h = await harness({
      tokens: 'none',
      login: async () => {
        logins++;
        await loginMay.promise;
        return h.server.issueTokens();
      },
    });
    const rec = recordHeld();
    try {
      const requests = Array.from({ length: N }, () => h.client.query(STUDENTS));
      loginMay.resolve();
      await Promise.all(requests);
      expect(logins).toBe(1);
      expect(h.auth.stats.queued).toBe(N);
      expect(rec.held).toHaveLength(N);
    } finally {
      rec.stop();
    }
  });
});
