import axios, { type AxiosAdapter } from 'axios';
import { attachTokenRefresh } from '../../lib';
import { API_URL, ok, QUERY } from '../support/fixtures';

// Adversarial: 300 requests answered UNAUTHENTICATED, one refresh, 300 replays leaving a slice per
// turn (sendAgain, lib/plugin/send.ts). A logout while the replays wait for their turn: no replay may
// leave with the logged-out token afterwards.

const UNAUTH = { errors: [{ message: 'expired', extensions: { code: 'UNAUTHENTICATED' } }], data: null };

describe('logout while replays released by one refresh wait for their turn', () => {
  it('sends no replay with the refreshed token after setTokens(null) resolved', async () => {
    const sent: Array<{ auth: unknown; afterLogout: boolean }> = [];
    let loggedOut = false;
    let firstReplay = true;
    let refreshes = 0;
    let auth!: ReturnType<typeof attachTokenRefresh>;
    const adapter: AxiosAdapter = async (config) => {
      const authz = config.headers.Authorization;
      sent.push({ auth: authz, afterLogout: loggedOut });
      if (authz === 'Bearer fresh' && firstReplay) {
        firstReplay = false;
        await auth.setTokens(null);
        loggedOut = true;
      }
      await new Promise((r) => setImmediate(r));
      return ok(config, authz === 'Bearer fresh' ? { data: { ok: true } } : UNAUTH);
    };
    const api = axios.create({ baseURL: API_URL, adapter });
    auth = attachTokenRefresh(api, {
      url: API_URL,
      tokens: { accessToken: 'old', refreshToken: 'r1', expiresAt: Date.now() + 3_600_000 },
      refresh: async () => (refreshes++, { accessToken: 'fresh', refreshToken: 'r2', expiresAt: Date.now() + 3_600_000 }),
    });
    await api.post('', QUERY).catch(() => undefined); // learns the endpoint; refreshes once
    firstReplay = true;
    loggedOut = false;
    await auth.setTokens({ accessToken: 'old', refreshToken: 'r1', expiresAt: Date.now() + 3_600_000 });
    sent.length = 0;
    const outcomes = await Promise.all(
      Array.from({ length: 300 }, () =>
        api.post('', QUERY).then(
          () => 'ok',
          (e: Error) => e.name,
        ),
      ),
    );
    expect(outcomes).toHaveLength(300);
    expect(refreshes).toBe(2);
    const leakedAfterLogout = sent.filter((s) => s.afterLogout && s.auth === 'Bearer fresh').length;
    expect({ leakedAfterLogout }).toEqual({ leakedAfterLogout: 0 });
  });
});
