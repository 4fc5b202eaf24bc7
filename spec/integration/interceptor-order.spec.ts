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
const [major, minor] = String(axios.VERSION ?? '0.0')
  .split('.')
  .map(Number) as [number, number];
const ADAPTERS: Array<AxiosRequestConfig['adapter'] | undefined> =
  major > 1 || (major === 1 && minor >= 7) ? [undefined, 'fetch' as never] : [undefined];
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
  const attach = () =>
    (auth = attachTokenRefresh(api, { tokens: { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken }, ...extra }));
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

describe.each(ADAPTERS.map((a) => [adapterName(a), a] as const))(
  "attachTokenRefresh(instance) with the user's interceptors in any order (%s)",
  (_name, adapter) => {
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

      it("gives the caller the mapped error after a failed refresh; the mapper ran once, on the plugin's error", async () => {
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
  },
);

const ownForEach = (api: AxiosInstance) => [api.interceptors.request, api.interceptors.response].map((m) => Object.hasOwn(m, 'forEach'));

describe("attachTokenRefresh(instance): the user's interceptors keep their ids and their later changes", () => {
  it("ejecting the user's interceptors registered before attaching removes them; the plugin still refreshes", async () => {
    const s = await server();
    const api = axios.create({ baseURL: s.url });
    const seen: Seen = { requests: 0, unwraps: 0, mapped: [] };
    const ids = legacyStack(api, seen);
    const tokens = s.issueTokens();
    attachTokenRefresh(api, { tokens: { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken } });

    api.interceptors.response.eject(ids.response);
    api.interceptors.request.eject(ids.request);
    s.expireAccessTokens();
    const response = await api.post('', BODY);

    expect(response.status).toBe(200); // the whole response: the unwrapper is gone
    expect(response.data.data.students).toHaveLength(2);
    expect(seen).toEqual({ requests: 0, unwraps: 0, mapped: [] });
    expect(studentSends(s).map((r) => r.headers['x-request-id'])).toEqual([undefined, undefined]);
    expect(s.stats.refreshes).toBe(1);
  });

  it('runs interceptors added after the first request, once, on the final answer', async () => {
    const s = await server();
    const { api, seen } = build(s, 'before', undefined);
    await api.post('', BODY);
    const late: unknown[] = [];
    api.interceptors.response.use((body) => (late.push(body), body));
    s.expireAccessTokens();

    const body = (await api.post('', BODY)) as unknown as { data: { students: unknown[] } };

    expect(body.data.students).toHaveLength(2);
    expect(late).toEqual([body]); // after the unwrapper: it got the body, once
    expect(seen.unwraps).toBe(2);
  });
});

describe("attachTokenRefresh(instance) twice on one instance (two APIs), the user's stack registered first", () => {
  async function twoApis() {
    const [a, b] = [await server(), await server()];
    const api = axios.create();
    const seen: Seen = { requests: 0, unwraps: 0, mapped: [] };
    legacyStack(api, seen);
    const attach = (s: TestServer) => {
      const t = s.issueTokens();
      return attachTokenRefresh(api, { url: s.url, tokens: { accessToken: t.accessToken, refreshToken: t.refreshToken } });
    };
    return { a, b, api, seen, authA: attach(a), authB: attach(b) };
  }
  const students = (api: AxiosInstance, s: TestServer) => api.post(s.url, BODY) as unknown as Promise<{ data: { students: unknown[] } }>;

  it('refreshes for each API once, and each caller gets the unwrapped body', async () => {
    const { a, b, api, seen } = await twoApis();
    a.expireAccessTokens();
    b.expireAccessTokens();

    const [fromA, fromB] = await Promise.all([students(api, a), students(api, b)]);

    expect([fromA.data.students.length, fromB.data.students.length]).toEqual([2, 2]);
    expect([a.stats.refreshes, b.stats.refreshes]).toEqual([1, 1]);
    expect(seen).toEqual({ requests: 2, unwraps: 2, mapped: [] });
  });

  it.each([
    ['the first attached, then the second', ['authA', 'authB'] as const],
    ['the second attached, then the first', ['authB', 'authA'] as const],
  ])('detached in any order (%s): the other keeps refreshing; with both gone the instance is as it was', async (_what, order) => {
    const t = await twoApis();
    const [first, second] = order;
    t[first].detach();
    const still = second === 'authA' ? t.a : t.b;
    const gone = second === 'authA' ? t.b : t.a;
    still.expireAccessTokens();
    gone.expireAccessTokens();

    expect((await students(t.api, still)).data.students).toHaveLength(2);
    expect(still.stats.refreshes).toBe(1);
    const raw = (await students(t.api, gone)) as unknown as { errors: Array<{ extensions: { code: string } }> };
    expect(raw.errors[0]!.extensions.code).toBe('UNAUTHENTICATED'); // no attachment for it any more
    expect(gone.stats.refreshes).toBe(0);

    t[second].detach();
    expect(ownForEach(t.api)).toEqual([false, false]);
    still.expireAccessTokens();
    const after = (await students(t.api, still)) as unknown as { errors?: unknown[] };
    expect(after.errors).toBeDefined();
    expect(still.stats.refreshes).toBe(1);
    expect(t.seen.unwraps).toBe(3); // the user's stack ran once per answer throughout
  });
});

describe('attachTokenRefresh(instance) from two copies of the package on one instance', () => {
  it("both refresh with the user's stack registered first, and detaching both leaves the instance as it was", async () => {
    let other!: typeof import('../../lib');
    jest.isolateModules(() => {
      other = require('../../lib');
    });
    expect(other.attachTokenRefresh).not.toBe(attachTokenRefresh);
    const [a, b] = [await server(), await server()];
    const api = axios.create();
    const seen: Seen = { requests: 0, unwraps: 0, mapped: [] };
    legacyStack(api, seen);
    const ta = a.issueTokens();
    const tb = b.issueTokens();
    const authA = attachTokenRefresh(api, { url: a.url, tokens: { accessToken: ta.accessToken, refreshToken: ta.refreshToken } });
    const authB = other.attachTokenRefresh(api, { url: b.url, tokens: { accessToken: tb.accessToken, refreshToken: tb.refreshToken } });
    a.expireAccessTokens();
    b.expireAccessTokens();

    const bodies = (await Promise.all([api.post(a.url, BODY), api.post(b.url, BODY)])) as unknown as Array<{
      data: { students: unknown[] };
    }>;

    expect(bodies.map((x) => x.data.students.length)).toEqual([2, 2]);
    expect([a.stats.refreshes, b.stats.refreshes]).toEqual([1, 1]);
    expect(seen.unwraps).toBe(2);
    authA.detach();
    authB.detach();
    expect(ownForEach(api)).toEqual([false, false]);
  });
});

describe('attachTokenRefresh(instance) where its interceptors cannot take their place', () => {
  it.each(['request', 'response'] as const)(
    'throws a TypeError saying why when interceptors.%s is frozen, and sets nothing up',
    async (which) => {
      const s = await server();
      const api = axios.create({ baseURL: s.url });
      const seen: Seen = { requests: 0, unwraps: 0, mapped: [] };
      legacyStack(api, seen);
      Object.freeze(api.interceptors[which]);
      const t = s.issueTokens();

      expect(() => attachTokenRefresh(api, { tokens: { accessToken: t.accessToken, refreshToken: t.refreshToken } })).toThrow(
        expect.objectContaining({ name: 'TypeError', message: expect.stringMatching(/frozen or sealed/) }),
      );
      expect(ownForEach(api)).toEqual([false, false]);
      const body = (await api.post('', BODY)) as unknown as { data: unknown };
      expect(body.data).toBeDefined();
      expect(s.received[0]!.authorization).toBeUndefined(); // nothing of the plugin runs
    },
  );
  it('throws a TypeError saying why with an axios-like instance that runs interceptors without asking InterceptorManager#forEach', () => {
    type H = { fulfilled: (c: object) => object } | null;
    class Manager {
      handlers: H[] = [];
      use(fulfilled: (c: object) => object) {
        return this.handlers.push({ fulfilled }) - 1;
      }
      eject(id: number) {
        this.handlers[id] = null;
      }
      forEach(fn: (h: H) => void) {
        this.handlers.forEach((h) => h && fn(h));
      }
    }
    // Runs its request interceptors straight from `handlers`, in the order registered.
    const make = (defaults: object): unknown => {
      const interceptors = { request: new Manager(), response: new Manager() };
      const request = (config: object) => {
        let c = { ...defaults, ...config };
        for (const h of interceptors.request.handlers) if (h) c = h.fulfilled(c);
        return Promise.reject(new Error('no transport'));
      };
      return Object.assign((c: object) => request(c), {
        defaults,
        interceptors,
        request,
        create: (c: object) => make({ ...defaults, ...c }),
      });
    };

    expect(() =>
      attachTokenRefresh(make({ baseURL: 'https://api.example.test/graphql' }) as AxiosInstance, {
        tokens: { accessToken: 'a', refreshToken: 'r' },
      }),
    ).toThrow(expect.objectContaining({ name: 'TypeError', message: expect.stringMatching(/without InterceptorManager#forEach/) }));
  });
});
