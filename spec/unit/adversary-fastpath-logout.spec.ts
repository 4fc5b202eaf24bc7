import axios, { type AxiosAdapter } from 'axios';
import { attachTokenRefresh, TokenRefreshError } from '../../lib';
import { PER_TURN } from '../../lib/util/turns';
import { API_URL, ok, QUERY } from '../support/fixtures';

// Adversarial, passing pins: (1) a logout while a herd on the fast path (valid token) waits for its
// turns: the waiting requests re-read the token when their turn comes (proceed → attachFast), so none
// leaves with the logged-out token; (2) a refresh failing for a transient reason while 300 are held:
// each rejects once with TokenRefreshError, none is sent, tokens are kept.

it('fast path: no request waiting for a turn leaves with the token after setTokens(null) resolved', async () => {
  const sent: Array<{ auth: unknown; afterLogout: boolean }> = [];
  let loggedOut = false;
  let auth!: ReturnType<typeof attachTokenRefresh>;
  let armed = false;
  const adapter: AxiosAdapter = async (config) => {
    sent.push({ auth: config.headers.Authorization, afterLogout: loggedOut });
    if (armed) {
      armed = false;
      await auth.setTokens(null);
      loggedOut = true;
    }
    await new Promise((r) => setImmediate(r));
    return ok(config);
  };
  const api = axios.create({ baseURL: API_URL, adapter });
  auth = attachTokenRefresh(api, { url: API_URL, tokens: { accessToken: 'tok', refreshToken: 'r1', expiresAt: Date.now() + 3_600_000 } });
  await api.post('', QUERY);
  sent.length = 0;
  armed = true;
  const outcomes = await Promise.all(
    Array.from({ length: 300 }, () =>
      api.post('', QUERY).then(
        () => 'ok',
        (e: Error) => e.name,
      ),
    ),
  );
  expect(outcomes).toHaveLength(300);
  expect(sent.length).toBeGreaterThan(PER_TURN);
  expect(sent.filter((s) => s.afterLogout && s.auth === 'Bearer tok')).toHaveLength(0);
});

it('a transient refresh failure while 300 are held: each rejects once with TokenRefreshError, none sent, tokens kept', async () => {
  const sent: unknown[] = [];
  const adapter: AxiosAdapter = async (config) => (sent.push(config.headers.Authorization), ok(config));
  const api = axios.create({ baseURL: API_URL, adapter });
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const auth = attachTokenRefresh(api, {
    url: API_URL,
    tokens: { accessToken: 'old', refreshToken: 'r1', expiresAt: Date.now() - 1 },
    refresh: async () => {
      await gate;
      throw new Error('socket hang up');
    },
  });
  const settled = Array<number>(300).fill(0);
  const all = Array.from({ length: 300 }, (_, i) =>
    api.post('', QUERY).then(
      () => ((settled[i]! += 1), 'ok'),
      (e: unknown) => ((settled[i]! += 1), e instanceof TokenRefreshError ? 'refresh-failed' : String(e)),
    ),
  );
  release();
  const outcomes = await Promise.all(all);
  expect(new Set(outcomes)).toEqual(new Set(['refresh-failed']));
  expect(settled.every((n) => n === 1)).toBe(true);
  expect(sent).toEqual([]);
  expect((await auth.getTokens())?.refreshToken).toBe('r1');
});
