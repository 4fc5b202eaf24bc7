import axios, { type AxiosAdapter, type InternalAxiosRequestConfig } from 'axios';
import { attachTokenRefresh } from '../../lib';
import { API_URL, ok } from '../support/fixtures';

// The request interceptor's fast path runs inside axios' `runWhen` when ours is the only request
// interceptor, so axios sends the request synchronously, as bare axios does (docs/benchmarks.md,
// per-request overhead). Otherwise ours runs after the user's, whenever they were registered. These
// tests pin what that may and may not change.

const TOKENS = { accessToken: 'tok', refreshToken: 'r1', expiresAt: Date.now() + 3_600_000 };

function setup() {
  const sent: Array<{ auth: unknown; url?: string }> = [];
  const adapter: AxiosAdapter = async (config: InternalAxiosRequestConfig) => {
    sent.push({ auth: config.headers.Authorization, url: config.url });
    return ok(config);
  };
  const api = axios.create({ baseURL: API_URL, adapter });
  // The first GraphQL request tells the attachment its endpoint is GraphQL; the fast path opens after it.
  const auth = attachTokenRefresh(api, { tokens: { ...TOKENS } });
  return { api, auth, sent };
}

const QUERY = { query: '{ ok }' };

// axios 0.27 does not run response interceptors for a request that fails synchronously, so there the
// plugin never skips its interceptor (it could not redact that error): nothing is sent synchronously.
const syncSend = !axios.VERSION?.startsWith('0.');

describe('the request path with a valid token', () => {
  it('sends synchronously, as bare axios does, when ours is the only request interceptor (recent axios 1.x; never on 0.x)', async () => {
    const { api, sent } = setup();
    await api.post('', QUERY);
    sent.length = 0;
    const pending = api.post('', QUERY);
    expect(sent).toEqual(syncSend ? [{ auth: 'Bearer tok', url: '' }] : []); // the adapter ran before post() returned
    await pending;
    expect(sent).toEqual([{ auth: 'Bearer tok', url: '' }]);
    const bare = axios.create({
      adapter: (async (config: InternalAxiosRequestConfig) => (
        sent.push({ auth: 'bare' }), { data: {}, status: 200, statusText: 'OK', headers: {}, config }
      )) as AxiosAdapter,
    });
    const barePending = bare.post('https://x.test/', QUERY);
    expect(sent.at(-1)).toEqual({ auth: 'bare' });
    await barePending;
  });

  it('lets an interceptor registered later run first: its skipAuth is honoured, and nothing is sent synchronously', async () => {
    const { api, sent } = setup();
    await api.post('', QUERY);
    api.interceptors.request.use((config) => Object.assign(config, { skipAuth: config.url === '/public' }));
    sent.length = 0;
    const pending = api.post('/public', QUERY);
    expect(sent).toEqual([]);
    await pending;
    await api.post('', QUERY);
    expect(sent).toEqual([
      { auth: undefined, url: '/public' },
      { auth: 'Bearer tok', url: '' },
    ]);
  });

  it('lets an interceptor registered later send a request elsewhere: the token does not follow it', async () => {
    const { api, sent } = setup();
    await api.post('', QUERY);
    api.interceptors.request.use((config) => Object.assign(config, { baseURL: undefined, url: 'https://elsewhere.test/collect' }));
    await api.post('', QUERY);
    expect(sent.at(-1)).toEqual({ auth: undefined, url: 'https://elsewhere.test/collect' });
  });

  it.each(['before', 'after'] as const)(
    'lets an interceptor registered %s attaching change the request first: its skipAuth and new URL are honoured',
    async (where) => {
      const sent: Array<{ auth: unknown; url?: string }> = [];
      const adapter: AxiosAdapter = async (config: InternalAxiosRequestConfig) => {
        sent.push({ auth: config.headers.Authorization, url: config.url });
        return ok(config);
      };
      const api = axios.create({ baseURL: API_URL, adapter });
      const rewrite = (config: InternalAxiosRequestConfig) =>
        config.url === '/collect'
          ? Object.assign(config, { baseURL: undefined, url: 'https://elsewhere.test/collect' })
          : Object.assign(config, { skipAuth: config.url === '/public' });
      if (where === 'before') api.interceptors.request.use(rewrite);
      attachTokenRefresh(api, { url: API_URL, tokens: { ...TOKENS } });
      if (where === 'after') api.interceptors.request.use(rewrite);
      await api.post('/collect', QUERY);
      await api.post('/public', QUERY);
      await api.post('', QUERY);
      expect(sent).toEqual([
        { auth: undefined, url: 'https://elsewhere.test/collect' },
        { auth: undefined, url: '/public' },
        { auth: 'Bearer tok', url: '' },
      ]);
    },
  );

  // axios 1.13.5 and later run request interceptors in the order registered when asked to.
  const [major, minor, patch] = String(axios.VERSION).split('.').map(Number) as [number, number, number];
  const honoursPushOrder = major > 1 || (major === 1 && (minor > 13 || (minor === 13 && patch >= 5)));
  (honoursPushOrder ? it.each(['before', 'after'] as const) : it.skip.each(['before', 'after'] as const))(
    "runs after the user's interceptor registered %s it where axios runs them in the order registered (legacyInterceptorReqResOrdering: false)",
    async (where) => {
      const sent: Array<{ auth: unknown; url?: string; seenBy: unknown }> = [];
      const adapter: AxiosAdapter = async (config: InternalAxiosRequestConfig) => {
        sent.push({ auth: config.headers.Authorization, url: config.url, seenBy: config.headers['X-Seen'] });
        return ok(config);
      };
      const api = axios.create({
        baseURL: API_URL,
        adapter,
        transitional: { legacyInterceptorReqResOrdering: false } as never,
      });
      const user = (config: InternalAxiosRequestConfig) => {
        config.headers['X-Seen'] = String(config.headers.Authorization ?? 'no token yet');
        return config.url === '/collect' ? Object.assign(config, { baseURL: undefined, url: 'https://elsewhere.test/collect' }) : config;
      };
      if (where === 'before') api.interceptors.request.use(user);
      attachTokenRefresh(api, { url: API_URL, tokens: { ...TOKENS } });
      if (where === 'after') api.interceptors.request.use(user);
      await api.post('/collect', QUERY);
      await api.post('', QUERY);
      expect(sent).toEqual([
        { auth: undefined, url: 'https://elsewhere.test/collect', seenBy: 'no token yet' },
        { auth: 'Bearer tok', url: '', seenBy: 'no token yet' },
      ]);
    },
  );

  (honoursPushOrder ? it : it.skip)(
    'attaches when the first instance a copy of the package sees runs interceptors in the order registered',
    async () => {
      let fresh!: typeof import('../../lib');
      jest.isolateModules(() => {
        fresh = require('../../lib');
      });
      const sent: unknown[] = [];
      const adapter: AxiosAdapter = async (config: InternalAxiosRequestConfig) => {
        sent.push(config.url);
        return ok(config);
      };
      const api = axios.create({
        baseURL: API_URL,
        adapter,
        transitional: { legacyInterceptorReqResOrdering: false } as never,
      });
      api.interceptors.request.use((config) => Object.assign(config, { baseURL: undefined, url: 'https://elsewhere.test/collect' }));
      fresh.attachTokenRefresh(api, { url: API_URL, tokens: { ...TOKENS } });
      await api.post('', QUERY);
      expect(sent).toEqual(['https://elsewhere.test/collect']);
    },
  );

  it.each(['after', 'before'] as const)(
    'goes back to the synchronous path once an interceptor registered %s attaching is ejected',
    async (where) => {
      const sent: Array<{ auth: unknown; url?: string }> = [];
      const adapter: AxiosAdapter = async (config: InternalAxiosRequestConfig) => {
        sent.push({ auth: config.headers.Authorization, url: config.url });
        return ok(config);
      };
      const api = axios.create({ baseURL: API_URL, adapter });
      const before = where === 'before' ? api.interceptors.request.use((config) => config) : undefined;
      attachTokenRefresh(api, { tokens: { ...TOKENS } });
      await api.post('', QUERY);
      const id = before ?? api.interceptors.request.use((config) => config);
      sent.length = 0;
      const held = api.post('', QUERY);
      expect(sent).toEqual([]);
      await held;
      api.interceptors.request.eject(id);
      sent.length = 0;
      const pending = api.post('', QUERY);
      expect(sent).toEqual(syncSend ? [{ auth: 'Bearer tok', url: '' }] : []);
      await pending;
      expect(sent).toEqual([{ auth: 'Bearer tok', url: '' }]);
    },
  );

  it('takes the slow path when the fast one is closed (expired token): refreshes once, then sends with the new token', async () => {
    const sent: unknown[] = [];
    let refreshes = 0;
    const adapter: AxiosAdapter = async (config: InternalAxiosRequestConfig) => {
      const body = JSON.parse(config.data);
      if (body.operationName === 'RefreshToken') {
        refreshes++;
        return ok(config, JSON.stringify({ data: { refreshToken: { accessToken: 'fresh', expiresIn: 900 } } }));
      }
      sent.push(config.headers.Authorization);
      return ok(config);
    };
    const api = axios.create({ baseURL: API_URL, adapter });
    attachTokenRefresh(api, {
      url: API_URL,
      tokens: { accessToken: 'old', refreshToken: 'r1', expiresAt: Date.now() - 1 },
    });
    await Promise.all([api.post('', QUERY), api.post('', QUERY), api.post('', QUERY)]);
    expect(refreshes).toBe(1);
    expect(sent).toEqual(['Bearer fresh', 'Bearer fresh', 'Bearer fresh']);
  });
});

describe('a store or policy that throws on the fast path', () => {
  const adapter: AxiosAdapter = async (config: InternalAxiosRequestConfig) => ok(config);

  it.each([
    [
      "the store's get()",
      {
        tokens: {
          get: () => {
            throw new Error('store down');
          },
          set: () => {},
        },
      },
    ],
    [
      'shouldAttachToken',
      {
        tokens: { ...TOKENS },
        shouldAttachToken: () => {
          throw new Error('policy broke');
        },
      },
    ],
  ])(
    '%s throwing: post() returns a rejected promise, never throws itself (axios 0.27 runs runWhen inside post())',
    async (_what, options) => {
      const api = axios.create({ baseURL: API_URL, adapter });
      attachTokenRefresh(api, { url: API_URL, ...options });
      let pending: Promise<unknown> | undefined;
      expect(() => (pending = api.post('', QUERY))).not.toThrow();
      await expect(pending).rejects.toThrow(/store down|policy broke/);
    },
  );
});
