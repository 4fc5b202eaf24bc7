import axios, { type AxiosInstance, type AxiosRequestConfig } from 'axios';
import { attachTokenRefresh, type TokenRefreshHandle } from '../../lib';
import { startTestServer, type TestServer } from '../support/graphql-server';
import { STUDENTS } from '../support/setup';

// Any order of interceptors (docs/getting-started.md, "Your own interceptors"): the stacks legacy
// code bases register before any plugin — a request interceptor that logs and adds a header, the
// `r => r.data` unwrapper, an error mapper that rethrows a plain Error — behave the same whether
// they were registered before attachTokenRefresh, after it, or around it. The plugin's detection
// sees the raw axios answer; the user's interceptors see the final one, once.

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(options: Parameters<typeof startTestServer>[0] = {}) {
  const s = await startTestServer(options);
  servers.push(s);
  return s;
}

// The fetch adapter exists from axios 1.7 on; the suite also runs on older copies (AXIOS_MODULE).
const [major, minor] = String(axios.VERSION ?? '0.0').split('.').map(Number) as [number, number];
const ADAPTERS: Array<AxiosRequestConfig['adapter'] | undefined> = major > 1 || (major === 1 && minor >= 7) ? [undefined, 'fetch' as never] : [undefined];
const adapterName = (a: unknown) => (a === undefined ? 'default adapter' : `adapter: '${String(a)}'`);

/** What the user's interceptors saw, per kind. */
interface Seen {
  requests: number;
  unwraps: number;
  mapped: unknown[];
}

/** The legacy stack: a logging request interceptor adding a header, the unwrapper, the error mapper. */
function legacyStack(api: AxiosInstance, seen: Seen) {
  const ids = {
    request: api.interceptors.request.use((config) => {
      seen.requests++;
      config.headers['X-Request-Id'] = `req-${seen.requests}`;
      return config;
    }),
    response: api.interceptors.response.use(
      (response) => {
        seen.unwraps++;
        return response.data;
      },
      (error: unknown) => {
        seen.mapped.push(error);
        return Promise.reject(new Error(`request failed: ${(error as Error).name}`));
      },
    ),
  };
  return ids;
}

type Where = 'before' | 'after' | 'around';

/** Builds an instance with the legacy stack registered before, after, or split around attachTokenRefresh. */
function build(s: TestServer, where: Where, adapter: AxiosRequestConfig['adapter'] | undefined, extra: { url?: string } = {}) {
  const api = axios.create({ baseURL: s.url, ...(adapter ? { adapter } : {}) });
  const seen: Seen = { requests: 0, unwraps: 0, mapped: [] };
  const tokens = s.issueTokens();
  let auth!: TokenRefreshHandle;
  const attach = () => (auth = attachTokenRefresh(api, { tokens: { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken }, ...extra }));
  if (where === 'before') {
    legacyStack(api, seen);
    attach();
  } else if (where === 'after') {
    attach();
    legacyStack(api, seen);
  } else {
    // The request half before, the response half after (a shared module, then a later one).
    api.interceptors.request.use((config) => {
      seen.requests++;
      config.headers['X-Request-Id'] = `req-${seen.requests}`;
      return config;
    });
    attach();
    api.interceptors.response.use(
      (response) => (seen.unwraps++, response.data),
      (error: unknown) => (seen.mapped.push(error), Promise.reject(new Error(`request failed: ${(error as Error).name}`))),
    );
  }
  return { api, seen, auth: () => auth };
}

const BODY = { query: STUDENTS.source, operationName: 'Students', variables: { limit: 2 } };
const studentSends = (s: TestServer) => s.received.filter((r) => r.operationName === 'Students');

describe.each(ADAPTERS.map((a) => [adapterName(a), a] as const))('attachTokenRefresh(instance) with the user\'s interceptors in any order (%s)', (_name, adapter) => {
  describe.each(['before', 'after', 'around'] as const)('the legacy stack registered %s attaching', (where) => {
    it('refreshes an expired token once and gives the caller the unwrapped body of the replay; each interceptor ran once', async () => {
      const s = await server();
      const { api, seen, auth } = build(s, where, adapter);
      s.expireAccessTokens();

      const body = (await api.post('', BODY)) as unknown as { data: { students: unknown[] } };

      expect(body.data.students).toHaveLength(2);
      expect(s.stats.refreshes).toBe(1);
      expect(auth().stats).toMatchObject({ refreshes: 1, replays: 1 });
      expect(seen).toEqual({ requests: 1, unwraps: 1, mapped: [] });
      // Both sends carried the user's header; the replay carried the new token.
      const sends = studentSends(s);
      expect(sends.map((r) => r.headers['x-request-id'])).toEqual(['req-1', 'req-1']);
      expect(s.acceptsAccessToken(sends[1]!.authorization?.replace('Bearer ', ''))).toBe(true);
    });

    it('refreshes after an HTTP 401 answer too: the error mapper never sees the 401, the caller gets the body', async () => {
      const s = await server({ authMode: 'http401' });
      const { api, seen } = build(s, where, adapter);
      s.expireAccessTokens();

      const body = (await api.post('', BODY)) as unknown as { data: { students: unknown[] } };

      expect(body.data.students).toHaveLength(2);
      expect(s.stats.refreshes).toBe(1);
      expect(seen).toEqual({ requests: 1, unwraps: 1, mapped: [] });
    });

    it('gives the caller the mapped error after a failed refresh; the mapper ran once, on the plugin\'s error', async () => {
      const s = await server();
      const { api, seen } = build(s, where, adapter);
      s.expireAccessTokens();
      s.revokeRefreshTokens();

      const error = await api.post('', BODY).then(
        () => undefined,
        (e: unknown) => e,
      );

      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toBe('request failed: SessionExpiredError');
      expect(s.stats.refreshes).toBe(1);
      expect(seen.requests).toBe(1);
      expect(seen.unwraps).toBe(0);
      expect(seen.mapped).toHaveLength(1);
      expect(studentSends(s)).toHaveLength(1);
    });

    it('passes a plain answer through once: the unwrapper ran once, nothing refreshed', async () => {
      const s = await server();
      const { api, seen, auth } = build(s, where, adapter);

      const body = (await api.post('', BODY)) as unknown as { data: { students: unknown[] } };

      expect(body.data.students).toHaveLength(2);
      expect(seen).toEqual({ requests: 1, unwraps: 1, mapped: [] });
      expect(auth().stats.refreshes).toBe(0);
    });
  });
});
