import axios, { type AxiosInstance } from 'axios';
import axiosRetry from 'axios-retry';
import { attachTo, axiosHasFetchAdapter, closeServers, dataRequests, isRefresh, openServer, outcome } from '../support/contract';
import { waitFor, within } from '../support/events';
import type { TestServer } from '../support/graphql-server';
import { STUDENTS } from '../support/setup';

// How a request travels — pacing slots, the user's own axios-retry, the caller's timeout, and the
// transport the refresh uses (docs/how-it-works.md, "Retries and pacing" and "The request's own
// `timeout`").

afterEach(closeServers);

const ME = 'query Me { me }';

describe('attachTokenRefresh(instance, { rateLimit: { concurrency: 1 } }): every way a request ends gives its slot back', () => {
  /** The next request must reach the server and complete; a leaked slot makes it wait forever. */
  async function expectNextRequestCompletes(client: ReturnType<typeof attachTo>['client'], server: TestServer) {
    const before = dataRequests(server).length;
    const data = await within(client.query<{ me: string }>(ME), 'the next request never completed: the pacing slot leaked');
    expect(data.me).toBe(server.username);
    expect(dataRequests(server).length).toBe(before + 1);
  }

  it('after a CancelToken cancelled while the request is in flight', async () => {
    const server = await openServer();
    const { client } = attachTo(server, { rateLimit: { concurrency: 1 } });
    const hold = server.hold((r) => r.operationName === 'Students');
    const source = axios.CancelToken.source();

    const first = outcome(client.query(STUDENTS, undefined, { cancelToken: source.token }));
    await hold.arrived;
    source.cancel('the user navigated away');
    const { error } = await first;
    hold.release();

    expect(axios.isCancel(error)).toBe(true);
    await expectNextRequestCompletes(client, server);
  });

  it('after a request that timed out in flight (axios timeout)', async () => {
    const server = await openServer();
    const { client } = attachTo(server, { rateLimit: { concurrency: 1 } });
    const hold = server.hold((r) => r.operationName === 'Students');

    const { error } = await outcome(client.query(STUDENTS, undefined, { timeout: 300 }));
    hold.release();

    expect(error?.code).toBe('ECONNABORTED');
    await expectNextRequestCompletes(client, server);
  });

  it('after a request aborted (AbortSignal) while it waited for the slot', async () => {
    const server = await openServer();
    const { client, auth } = attachTo(server, { rateLimit: { concurrency: 1 } });
    const hold = server.hold((r) => r.operationName === 'Students');
    const holder = outcome(client.query(STUDENTS));
    await hold.arrived;
    const controller = new AbortController();

    const waiting = outcome(client.query(ME, undefined, { signal: controller.signal }));
    controller.abort();
    const { error } = await waiting;
    hold.release();
    await holder;

    expect(axios.isCancel(error)).toBe(true);
    expect(dataRequests(server).filter((r) => r.operationName === 'Me')).toHaveLength(0);
    expect(auth.stats.replays).toBe(0);
    await expectNextRequestCompletes(client, server);
  });

  it("counts the time waiting for a slot against the caller's timeout (beyond the brief: ECONNABORTED while the slot is still taken)", async () => {
    const server = await openServer();
    const { client } = attachTo(server, { rateLimit: { concurrency: 1 } });
    const hold = server.hold((r) => r.operationName === 'Students');
    const holder = outcome(client.query(STUDENTS));
    await hold.arrived;

    // The hold is released only afterwards: an ECONNABORTED came while the slot was still taken.
    const timed = await outcome(within(client.query(ME, undefined, { timeout: 300 }), 'the timed request waited for the slot', 8_000));
    hold.release();
    await holder;

    expect(axios.isAxiosError(timed.error)).toBe(true);
    expect(timed.error.code).toBe('ECONNABORTED');
  });

  it('after a transformRequest that throws a plain Error', async () => {
    const server = await openServer();
    const { api, client } = attachTo(server, { rateLimit: { concurrency: 1 } });

    const { error } = await outcome(
      api.post(
        '',
        { query: ME },
        {
          transformRequest: [
            () => {
              throw new Error('cannot encode this body');
            },
          ],
        },
      ),
    );

    expect(error?.message).toBe('cannot encode this body');
    await expectNextRequestCompletes(client, server);
  });

  it('after a user request interceptor (registered before attaching, so it runs after the plugin) that throws', async () => {
    const server = await openServer();
    let refuse = true;
    const { client } = attachTo(server, { rateLimit: { concurrency: 1 } }, (api) => {
      api.interceptors.request.use((config) => {
        if (refuse) {
          refuse = false;
          throw new Error('request refused by the app');
        }
        return config;
      });
    });

    const { error } = await outcome(client.query(ME));

    expect(error?.message).toBe('request refused by the app');
    await expectNextRequestCompletes(client, server);
  });
});

describe("attachTokenRefresh(instance) on an instance with the user's own axios-retry", () => {
  it("keeps the user's retries for a request the plugin does not handle (another origin: 503, 503, 200)", async () => {
    const graphql = await openServer();
    const other = await openServer({ restOnly: true });
    other.set({ failNext: { operationName: '*', count: 2, kind: 'http503' } });
    const { api } = attachTo(graphql, { retry: { retries: 2, retryDelay: () => 0 } }, (a) =>
      axiosRetry(a, { retries: 3, retryDelay: () => 0 }),
    );

    const { value, error } = await outcome(api.get(`${other.origin}/rest/public/status`));

    expect(error?.response?.status).toBeUndefined();
    expect(value?.status).toBe(200);
    expect(other.received).toHaveLength(3);
  });

  it('sends a GraphQL query answered 503 at most 1 + max(user retries, plugin retries) times, not the sum', async () => {
    const server = await openServer();
    server.set({ failNext: { operationName: 'Students', count: 100, kind: 'http503' } });
    const { client } = attachTo(server, { retry: { retries: 2, retryDelay: () => 0 } }, (api: AxiosInstance) =>
      axiosRetry(api, { retries: 3, retryDelay: () => 0, retryCondition: (error) => !error.response || error.response.status >= 500 }),
    );

    const { error } = await outcome(client.query(STUDENTS));

    expect(error).toBeDefined();
    const sent = dataRequests(server).length;
    expect(sent).toBeLessThanOrEqual(1 + Math.max(3, 2));
    expect(sent).toBeGreaterThanOrEqual(1 + 2);
  });
});

describe("attachTokenRefresh(instance): the caller's timeout covers the time held behind a refresh", () => {
  it.each([
    ['ECONNABORTED', {}],
    ['ETIMEDOUT', { transitional: { clarifyTimeoutError: true } }],
  ])('rejects with an axios %s error while the server still holds the refresh', async (code, extra) => {
    const server = await openServer();
    const { client } = attachTo(server);
    server.expireAccessTokens();
    const hold = server.hold(isRefresh);
    const first = outcome(client.query(STUDENTS));
    await hold.arrived;

    // The hold is released only afterwards: the timed request ended while the refresh was still held.
    const timed = await outcome(
      within(client.query(ME, undefined, { timeout: 300, ...extra }), 'the timed request waited for the held refresh', 8_000),
    );
    hold.release();
    await first;

    expect(axios.isAxiosError(timed.error)).toBe(true);
    expect(timed.error.code).toBe(code);
  });
});

describe("attachTokenRefresh(instance): the caller's timeout covers the wait for its own replay", () => {
  it('rejects with ECONNABORTED while the refresh its own UNAUTHENTICATED answer started is still held', async () => {
    const server = await openServer();
    const { client } = attachTo(server);
    server.expireAccessTokens();
    const hold = server.hold(isRefresh);

    // The hold is released only afterwards: the request ended while its refresh was still held.
    const timed = await outcome(
      within(client.query(STUDENTS, undefined, { timeout: 1_000 }), 'the timed request waited for the held refresh', 8_000),
    );
    hold.release();

    expect(hold.count).toBe(1); // the refresh did start (the request met UNAUTHENTICATED first)
    expect(axios.isAxiosError(timed.error)).toBe(true);
    expect(timed.error.code).toBe('ECONNABORTED');
  });
});

describe("attachTokenRefresh(instance): the caller's timeout covers a rate-limit pause", () => {
  it('rejects with ECONNABORTED while every request waits out RATE_LIMITED (retryAfter 20 s)', async () => {
    const server = await openServer();
    const { client, auth } = attachTo(server);
    server.set({ declineNext: { operationName: 'Students', count: 1, kind: 'graphql', retryAfterSeconds: 20 } });
    const controller = new AbortController();
    const declined = outcome(client.query(STUDENTS, undefined, { signal: controller.signal }));
    await waitFor(() => auth.stats.rateLimited === 1, 'the decline was never counted');

    const timed = await outcome(
      within(client.query(ME, undefined, { timeout: 300 }), 'the timed request waited out the whole pause', 8_000),
    );
    controller.abort();
    await declined;

    expect(timed.error?.message).not.toMatch(/waited out the whole pause/);
    expect(axios.isAxiosError(timed.error)).toBe(true);
    expect(timed.error.code).toBe('ECONNABORTED');
    expect(dataRequests(server).filter((r) => r.operationName === 'Me')).toHaveLength(0);
  });
});

(axiosHasFetchAdapter ? describe : describe.skip)('attachTokenRefresh(instance): instance.defaults.env.fetch set after attaching', () => {
  it("is used by the refresh too (adapter: 'fetch')", async () => {
    const server = await openServer();
    const { api, client } = attachTo(server);
    api.defaults.adapter = 'fetch';
    let calls = 0;
    api.defaults.env = {
      ...api.defaults.env,
      fetch: (input: RequestInfo | URL, init?: RequestInit) => {
        calls++;
        return fetch(input, init);
      },
    };
    server.expireAccessTokens();

    const data = await client.query(STUDENTS);

    expect(data.students).toHaveLength(3);
    expect(server.stats.refreshes).toBe(1);
    expect(server.received.filter(isRefresh)).toHaveLength(1);
    expect(calls).toBe(server.received.length); // query, refresh, replay: all through myFetch
  });
});
