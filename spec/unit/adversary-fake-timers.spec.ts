import axios, { type AxiosAdapter } from 'axios';
import { attachTokenRefresh } from '../../lib';
import { API_URL, ok, QUERY } from '../support/fixtures';

// Adversarial: a user's test with jest fake timers (modern and legacy) sends a herd larger than a
// turn's share (lib/util/turns.ts). Nothing may hang: all 300 answered without advancing the clock.

afterEach(() => jest.useRealTimers());

describe.each([
  ['modern', () => jest.useFakeTimers()],
  ['legacy', () => jest.useFakeTimers({ legacyFakeTimers: true })],
])('jest %s fake timers, a herd of 300', (_kind, fake) => {
  it('answers all 300 without advancing timers (valid token, synchronous store)', async () => {
    fake();
    const sent: unknown[] = [];
    const adapter: AxiosAdapter = async (config) => (sent.push(config.headers.Authorization), ok(config));
    const api = axios.create({ baseURL: API_URL, adapter });
    attachTokenRefresh(api, { url: API_URL, tokens: { accessToken: 'tok', refreshToken: 'r1', expiresAt: Date.now() + 3_600_000 } });
    const answers = await Promise.all(Array.from({ length: 300 }, () => api.post('', QUERY)));
    expect(answers).toHaveLength(300);
    expect(new Set(sent)).toEqual(new Set(['Bearer tok']));
    expect(sent).toHaveLength(300);
  });

  it('answers all 300 held for one refresh without advancing timers', async () => {
    fake();
    const sent: unknown[] = [];
    let refreshes = 0;
    const adapter: AxiosAdapter = async (config) => (sent.push(config.headers.Authorization), ok(config));
    const api = axios.create({ baseURL: API_URL, adapter });
    attachTokenRefresh(api, {
      url: API_URL,
      tokens: { accessToken: 'old', refreshToken: 'r1', expiresAt: Date.now() - 1 },
      refresh: async () => (refreshes++, { accessToken: 'fresh', refreshToken: 'r2', expiresAt: Date.now() + 3_600_000 }),
    });
    const answers = await Promise.all(Array.from({ length: 300 }, () => api.post('', QUERY)));
    expect(answers).toHaveLength(300);
    expect(refreshes).toBe(1);
    expect(sent.filter((a) => a === 'Bearer fresh')).toHaveLength(300);
  });
});
