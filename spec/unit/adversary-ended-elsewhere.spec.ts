import axios, { type AxiosAdapter } from 'axios';
import { attachTokenRefresh, SessionExpiredError, type TokenSet } from '../../lib';
import { PER_TURN } from '../../lib/util/turns';
import { API_URL, ok, QUERY } from '../support/fixtures';

// Adversarial: the store reports the session ended elsewhere (`subscribe` → null) while a herd of
// 300 released by one refresh waits for its turns. From then on the attachment's requests fail fast
// with SessionExpiredError without any network request (docs/how-it-works.md, "One store, one
// session").

describe('session ended elsewhere while a released herd waits for its turns', () => {
  it('sends nothing after the store reported null; the rest reject with SessionExpiredError', async () => {
    let tokens: TokenSet | null = { accessToken: 'old', refreshToken: 'r1', expiresAt: Date.now() - 1 };
    const listeners = new Set<(t: TokenSet | null) => void>();
    const store = {
      get: () => tokens,
      set: (t: TokenSet | null) => void (tokens = t),
      subscribe: (l: (t: TokenSet | null) => void) => (listeners.add(l), () => void listeners.delete(l)),
    };
    let ended = false;
    const sent: Array<{ auth: unknown; afterEnd: boolean }> = [];
    const adapter: AxiosAdapter = async (config) => {
      sent.push({ auth: config.headers.Authorization, afterEnd: ended });
      if (sent.length === 1) {
        tokens = null; // another tab logged out
        listeners.forEach((l) => l(null));
        ended = true;
      }
      await new Promise((r) => setImmediate(r));
      return ok(config);
    };
    const api = axios.create({ baseURL: API_URL, adapter });
    attachTokenRefresh(api, {
      url: API_URL,
      tokens: store,
      refresh: async () => ({ accessToken: 'fresh', refreshToken: 'r2', expiresAt: Date.now() + 3_600_000 }),
    });
    const outcomes = await Promise.all(
      Array.from({ length: 300 }, () =>
        api.post('', QUERY).then(
          () => 'ok',
          (e: unknown) => (e instanceof SessionExpiredError ? 'expired' : String(e)),
        ),
      ),
    );
    expect(outcomes).toHaveLength(300);
    // The first slice (PER_TURN) had left the plugin when the end was reported (its adapter calls run after
    // the first one's): those may reach the server. No later slice may.
    expect({
      sentBeyondFirstSlice: Math.max(0, sent.length - PER_TURN),
      withTokenBeyondFirstSlice: sent.slice(PER_TURN).filter((s) => s.auth).length,
    }).toEqual({ sentBeyondFirstSlice: 0, withTokenBeyondFirstSlice: 0 });
    expect(outcomes.filter((o) => o === 'expired').length).toBeGreaterThanOrEqual(300 - PER_TURN);
  });
});
