import axios, { type AxiosAdapter } from 'axios';
import { attachTokenRefresh, SessionExpiredError } from '../../lib';
import { deferred } from '../support/events';
import { API_URL, ok, QUERY } from '../support/fixtures';

// Adversarial: the refresh fails (session ends) while 300 requests are held; and an async store
// (promise-returning get) in a herd of 300. Every request settles exactly once; nothing is sent with
// a dead token; the herd still leaves a slice per turn.

describe('a refresh that fails while 300 requests are held', () => {
  it('rejects each of the 300 once with SessionExpiredError and sends none of them', async () => {
    const gate = deferred<never>();
    const sent: unknown[] = [];
    const adapter: AxiosAdapter = async (config) => (sent.push(config.headers.Authorization), ok(config));
    const api = axios.create({ baseURL: API_URL, adapter });
    let expired = 0;
    const auth = attachTokenRefresh(api, {
      url: API_URL,
      tokens: { accessToken: 'old', refreshToken: 'r1', expiresAt: Date.now() - 1 },
      refresh: () => gate.promise,
      onSessionExpired: () => void expired++,
    });
    const settled: number[] = Array(300).fill(0);
    const all = Array.from({ length: 300 }, (_, i) =>
      api.post('', QUERY).then(
        () => ((settled[i]! += 1), 'ok'),
        (e: unknown) => ((settled[i]! += 1), e instanceof SessionExpiredError ? 'expired' : String(e)),
      ),
    );
    gate.reject(new SessionExpiredError('refresh token revoked')); // not transient: the session ends
    const outcomes = await Promise.all(all);
    expect(new Set(outcomes)).toEqual(new Set(['expired']));
    expect(settled.every((n) => n === 1)).toBe(true);
    expect(sent).toEqual([]);
    expect(expired).toBe(1);
    expect(await auth.getTokens()).toBeNull();
  });
});

describe('an async store in a herd of 300', () => {
  it('answers all 300 with the stored token, in more than one turn (a setImmediate window can straddle two plugin turns, so only slicing is asserted)', async () => {
    let turn = 0;
    let running = true;
    const tick = () => (turn++, running && setImmediate(tick));
    setImmediate(tick);
    const perTurn = new Map<number, number>();
    const adapter: AxiosAdapter = (config) => {
      perTurn.set(turn, (perTurn.get(turn) ?? 0) + 1);
      expect(config.headers.Authorization).toBe('Bearer tok');
      return new Promise((r) => setImmediate(() => r(ok(config))));
    };
    const api = axios.create({ baseURL: API_URL, adapter });
    let tokens: unknown = { accessToken: 'tok', refreshToken: 'r1', expiresAt: Date.now() + 3_600_000 };
    attachTokenRefresh(api, { url: API_URL, tokens: { get: async () => tokens as never, set: async (t) => void (tokens = t) } });
    const answers = await Promise.all(Array.from({ length: 300 }, () => api.post('', QUERY)));
    running = false;
    expect(answers).toHaveLength(300);
    expect(perTurn.size).toBeGreaterThanOrEqual(2);
    expect(Math.max(...perTurn.values())).toBeLessThan(300);
    expect([...perTurn.values()].reduce((a, b) => a + b)).toBe(300);
  });
});
