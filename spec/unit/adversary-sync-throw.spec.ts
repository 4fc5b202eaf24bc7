import util from 'node:util';
import axios, { type AxiosAdapter, type InternalAxiosRequestConfig } from 'axios';
import { attachTokenRefresh } from '../../lib';
import { axiosError } from '../support/axios-errors';
import { API_URL, ok, QUERY } from '../support/fixtures';

// Adversarial: on the runWhen fast path no interceptor of ours runs before the send, so axios takes
// its synchronous path. When dispatchRequest throws synchronously (signal already aborted, a
// transformRequest throwing), axios 0.27 and older 1.x return Promise.reject(error) WITHOUT running
// the response interceptors: ours never redacts the error. The token must not be in it anyway
// (docs/errors.md, "No secrets in renderings": never in an error's message, toJSON(),
// config.headers or inspect output).

const SECRET = 'secret-access-token-123';

function setup() {
  let sent = 0;
  const adapter: AxiosAdapter = async (config) => (sent++, ok(config));
  const api = axios.create({ baseURL: API_URL, adapter });
  attachTokenRefresh(api, { url: API_URL, tokens: { accessToken: SECRET, refreshToken: 'r1', expiresAt: Date.now() + 3_600_000 } });
  return { api, sent: () => sent };
}

const leaks = (error: unknown) => {
  const e = error as { config?: { headers?: unknown }; toJSON?: () => unknown };
  return [JSON.stringify(e.config?.headers ?? {}), JSON.stringify(e.toJSON?.() ?? {}), util.inspect(error, { depth: 6 })].some((s) =>
    s.includes(SECRET),
  );
};

describe('a synchronous throw in axios dispatch on the fast path', () => {
  it('a signal aborted before post(): CanceledError, nothing sent, no token in the error', async () => {
    const { api, sent } = setup();
    await api.post('', QUERY); // learns the endpoint: the fast path opens
    const error = await api.post('', QUERY, { signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(axios.isCancel(error)).toBe(true);
    expect(sent()).toBe(1);
    expect(leaks(error)).toBe(false);
  });

  it.each([
    ['on the fast path (no other request interceptor: axios sends synchronously)', false],
    ['control: an interceptor registered after ours (the promise chain runs)', true],
  ])(
    'a mutation whose transformRequest throws an AxiosError carrying the config, %s: rejected, no token in the error',
    async (_what, other) => {
      const { api, sent } = setup();
      await api.post('', QUERY);
      if (other) api.interceptors.request.use((c) => c);
      const transformRequest = [
        function (this: InternalAxiosRequestConfig) {
          throw axiosError('cannot serialize', 'ERR_BAD_REQUEST', this);
        },
      ];
      const error = await api.post('', { query: 'mutation M { ok }' }, { transformRequest }).then(
        () => 'resolved',
        (e: unknown) => e,
      );
      expect((error as Error).message).toBe('cannot serialize');
      expect(sent()).toBe(1);
      expect(leaks(error)).toBe(false);
    },
  );

  it('a query whose transformRequest throws is rejected, not retried with the untransformed body', async () => {
    const seen: unknown[] = [];
    const adapter: AxiosAdapter = async (config) => (seen.push(config.data), ok(config));
    const api = axios.create({ baseURL: API_URL, adapter });
    attachTokenRefresh(api, { url: API_URL, tokens: { accessToken: SECRET, refreshToken: 'r1', expiresAt: Date.now() + 3_600_000 } });
    await api.post('', QUERY);
    seen.length = 0;
    const transformRequest = [
      function (this: InternalAxiosRequestConfig) {
        throw axiosError('cannot serialize', 'ERR_BAD_REQUEST', this); // e.g. a signing/encrypting transform refusing
      },
    ];
    const outcome = await api.post('', QUERY, { transformRequest }).then(
      () => 'resolved',
      (e: Error) => `rejected: ${e.message}`,
    );
    expect({ outcome, seen }).toEqual({ outcome: 'rejected: cannot serialize', seen: [] });
  });
});
