import axios, { type AxiosAdapter } from 'axios';
import { attachTokenRefresh } from '../../lib';
import { PER_TURN } from '../../lib/util/turns';
import { deferred } from '../support/events';
import { API_URL, ok, QUERY } from '../support/fixtures';

// Adversarial: a logout (`setTokens(null)`) while requests released by a refresh, or replays, wait
// for their turn (lib/util/turns.ts). Nothing may leave with the logged-out token afterwards.

describe('logout while a herd released by a refresh waits for its turns', () => {
  it(`sends nothing with the refreshed token after setTokens(null) resolved (300 held, slices of ${PER_TURN})`, async () => {
    const release = deferred();
    const sent: Array<{ auth: unknown; afterLogout: boolean }> = [];
    let loggedOut = false;
    let auth!: ReturnType<typeof attachTokenRefresh>;
    const adapter: AxiosAdapter = async (config) => {
      sent.push({ auth: config.headers.Authorization, afterLogout: loggedOut });
      if (sent.length === 1) {
        // The first request of the first slice: log out before answering (later slices wait for a later turn).
        await auth.setTokens(null);
        loggedOut = true;
      }
      await new Promise((r) => setImmediate(r));
      return ok(config, { data: { ok: true } });
    };
    const api = axios.create({ baseURL: API_URL, adapter });
    auth = attachTokenRefresh(api, {
      url: API_URL,
      tokens: { accessToken: 'old', refreshToken: 'r1', expiresAt: Date.now() - 1 },
      refresh: async () => {
        await release.promise;
        return { accessToken: 'fresh', refreshToken: 'r2', expiresAt: Date.now() + 3_600_000 };
      },
    });
    const all = Array.from({ length: 300 }, () =>
      api.post('', QUERY).then(
        () => 'ok',
        (e: Error) => e.name,
      ),
    );
    release.resolve();
    const outcomes = await Promise.all(all);
    expect(outcomes).toHaveLength(300);
    const leakedAfterLogout = sent.filter((s) => s.afterLogout && s.auth === 'Bearer fresh').length;
    expect({ leakedAfterLogout }).toEqual({ leakedAfterLogout: 0 });
  });
});
