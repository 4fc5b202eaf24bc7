import axios, { type AxiosAdapter, type AxiosError } from 'axios';
import { attachTokenRefresh } from '../../lib';
import { axiosError } from '../support/axios-errors';
import { API_URL, freshTokens, ok, QUERY } from '../support/fixtures';

// Adversarial: a user's retry interceptor re-sending the same config (as axios-retry does) after the
// tokens changed, on the runWhen fast path; and foreign-origin / skipAuth requests inside a herd.

describe("a user's retry re-sending the same config", () => {
  it('re-sends with the newest token (set meanwhile), once, and answers the caller', async () => {
    const sent: unknown[] = [];
    let fail = true;
    const adapter: AxiosAdapter = async (config) => {
      sent.push(config.headers.Authorization);
      if (fail) {
        fail = false;
        throw axiosError('Network Error', 'ERR_NETWORK', config);
      }
      return ok(config);
    };
    const api = axios.create({ baseURL: API_URL, adapter });
    const auth = attachTokenRefresh(api, { url: API_URL, tokens: freshTokens() });
    api.interceptors.response.use(undefined, async (error: AxiosError & { config: { __retried?: boolean } }) => {
      if (error.config.__retried) throw error;
      error.config.__retried = true;
      await auth.setTokens({ accessToken: 'rotated', refreshToken: 'r2', expiresAt: Date.now() + 3_600_000 });
      return api.request(error.config);
    });
    // A mutation: the plugin's own transient retry (queries only) stays out of it; the user's retry re-sends.
    const response = await api.post('', { query: 'mutation M { ok }' });
    expect(response.data).toEqual({ data: { ok: true } });
    expect(sent).toEqual(['Bearer tok', 'Bearer rotated']);
  });
});

describe('foreign-origin and skipAuth requests inside a herd of 300', () => {
  it('leave at once without the token; the herd keeps its token', async () => {
    const sent: Array<{ url: string; auth: unknown }> = [];
    const adapter: AxiosAdapter = (config) => (
      sent.push({ url: `${config.baseURL ?? ''}|${config.url}`, auth: config.headers.Authorization }),
      new Promise((r) => setImmediate(() => r(ok(config))))
    );
    const api = axios.create({ baseURL: API_URL, adapter });
    attachTokenRefresh(api, { url: API_URL, tokens: freshTokens() });
    let inFirstTurn: string[] = [];
    const marker = new Promise<void>((r) => setImmediate(() => ((inFirstTurn = sent.map((s) => s.url)), r())));
    const all: Array<Promise<unknown>> = [];
    for (let i = 0; i < 300; i++) {
      all.push(api.post('', QUERY));
      if (i === 200) {
        all.push(api.post('https://elsewhere.test/collect', QUERY, { baseURL: undefined }));
        all.push(api.post('', QUERY, { skipAuth: true }));
      }
    }
    await marker;
    await Promise.all(all);
    expect(inFirstTurn.some((u) => u.includes('elsewhere.test'))).toBe(true); // sent synchronously, not sliced
    expect(sent.find((s) => s.url.includes('elsewhere'))?.auth).toBeFalsy();
    expect(sent.filter((s) => !s.auth)).toHaveLength(2);
    expect(sent.filter((s) => s.auth === 'Bearer tok')).toHaveLength(300);
  });
});
