import axios, { type AxiosAdapter } from 'axios';
import { attachTokenRefresh } from '../../lib';
import { API_URL, ok, QUERY } from '../support/fixtures';

// Adversarial: `rateLimit` pacing combined with a herd of 300 released by one refresh, and a logout
// while most of them wait for a slot. The paced adapter re-reads the token after the wait: nothing
// leaves with the logged-out token, and the concurrency cap holds.

describe('rateLimit { concurrency: 10 } and a herd of 300 held for one refresh', () => {
  it('never exceeds 10 in flight, refreshes once, and sends nothing with the token after a logout', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let loggedOut = false;
    const sent: Array<{ auth: unknown; afterLogout: boolean }> = [];
    let refreshes = 0;
    let auth!: ReturnType<typeof attachTokenRefresh>;
    const adapter: AxiosAdapter = async (config) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      sent.push({ auth: config.headers.Authorization, afterLogout: loggedOut });
      if (sent.length === 50) {
        await auth.setTokens(null);
        loggedOut = true;
      }
      await new Promise((r) => setImmediate(r));
      inFlight--;
      return ok(config);
    };
    const api = axios.create({ baseURL: API_URL, adapter });
    auth = attachTokenRefresh(api, {
      url: API_URL,
      rateLimit: { concurrency: 10 },
      tokens: { accessToken: 'old', refreshToken: 'r1', expiresAt: Date.now() - 1 },
      refresh: async () => (refreshes++, { accessToken: 'fresh', refreshToken: 'r2', expiresAt: Date.now() + 3_600_000 }),
    });
    const outcomes = await Promise.all(
      Array.from({ length: 300 }, () =>
        api.post('', QUERY).then(
          () => 'ok',
          (e: Error) => e.name,
        ),
      ),
    );
    expect(outcomes).toHaveLength(300);
    expect(refreshes).toBe(1);
    expect(maxInFlight).toBeLessThanOrEqual(10);
    expect(sent.slice(0, 50).every((s) => s.auth === 'Bearer fresh')).toBe(true);
    expect(sent.filter((s) => s.afterLogout && s.auth === 'Bearer fresh')).toHaveLength(0);
  });
});
