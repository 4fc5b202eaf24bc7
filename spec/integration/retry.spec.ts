import axios from 'axios';
import MockAdapter from 'axios-mock-adapter';
import axiosRetry from 'axios-retry';
import { attachTokenRefresh, createGraphQLClient, gql, isTokenRefreshError, type TokenRefreshOptions } from '../../lib';
import { deferred } from '../support/events';
import { closeAll, harness, STUDENTS } from '../support/setup';

afterEach(closeAll);

const ADD_NOTE = gql`mutation AddNote($text: String!) { addNote(text: $text) { id } }`;
const fast = { retryDelay: () => 5 };

describe('attachTokenRefresh(instance, { retry }): GraphQL-aware retries', () => {
  it.each(['network', 'http500'] as const)('retries a query after %s failures and answers', async (kind) => {
    const h = await harness({ retry: { retries: 2, ...fast } });
    h.server.set({ failNext: { operationName: 'Students', count: 2, kind } });
    await expect(h.client.query(STUDENTS)).resolves.toBeTruthy();
    expect(h.server.received.filter((r) => r.operationName === 'Students')).toHaveLength(3);
  });

  it('never retries a mutation', async () => {
    const h = await harness({ retry: { retries: 3, ...fast } });
    h.server.set({ failNext: { operationName: 'AddNote', count: 1, kind: 'http500' } });
    const error = await h.client.mutate(ADD_NOTE, { text: 'once' }).catch((e) => e);
    expect(error.response?.status).toBe(500);
    expect(h.server.received.filter((r) => r.operationName === 'AddNote')).toHaveLength(1);
  });

  it('bounds the sends of one call by 1 + retries + maxReplays', async () => {
    const h = await harness({ retry: { retries: 2, ...fast }, maxReplays: 1 });
    h.server.expireAccessTokens();
    h.server.set({ failNext: { operationName: 'Students', count: 100, kind: 'http500' } });
    await expect(h.client.query(STUDENTS)).rejects.toMatchObject({ response: { status: 500 } });
    expect(h.studentRequests()).toHaveLength(3);
    h.server.set({ failNext: undefined, acceptTokens: false });
    await expect(h.client.query(STUDENTS)).rejects.toMatchObject({ name: 'GraphQLRequestError', code: 'UNAUTHENTICATED' });
    expect(h.studentRequests()).toHaveLength(3 + 2); // auth: 1 send + 1 replay, retries not involved
  });

  it('can be turned off', async () => {
    const h = await harness({ retry: false });
    h.server.set({ failNext: { operationName: 'Students', count: 1, kind: 'http500' } });
    await expect(h.client.query(STUDENTS)).rejects.toMatchObject({ response: { status: 500 } });
    expect(h.studentRequests()).toHaveLength(1);
  });

  it('retries a transient refresh failure when refresh tokens do not rotate', async () => {
    const h = await harness({ retry: { retries: 2, ...fast } });
    h.server.expireAccessTokens();
    h.server.set({ failNext: { operationName: 'RefreshToken', count: 1, kind: 'http500' } });
    await expect(h.client.query(STUDENTS)).resolves.toBeTruthy();
    expect(h.server.received.filter((r) => r.operationName === 'RefreshToken')).toHaveLength(2);
    expect(h.auth.stats.refreshes).toBe(1);
  });

  it('never retries the refresh when refresh tokens rotate', async () => {
    const h = await harness({ retry: { retries: 2, ...fast }, rotatingRefreshTokens: true }, { rotate: true });
    h.server.expireAccessTokens();
    h.server.set({ failNext: { operationName: 'RefreshToken', count: 1, kind: 'network' } });
    expect(isTokenRefreshError(await h.client.query(STUDENTS).catch((e) => e))).toBe(true);
    expect(h.server.received.filter((r) => r.operationName === 'RefreshToken')).toHaveLength(1);
  });
});

describe('attachTokenRefresh(instance, { rateLimit }): client-side pacing', () => {
  it('keeps at most `concurrency` requests in flight, replays included', async () => {
    const h = await harness({ rateLimit: { concurrency: 3 } });
    let inFlight = 0;
    let peak = 0;
    // The first requests are held until three are in flight at once (so the limit is reached, not
    // merely respected by chance); later ones pass straight through, still counted.
    const three = deferred();
    h.server.set({
      beforeAuth: async (req) => {
        if (req.operationName !== 'Students') return;
        inFlight++;
        peak = Math.max(peak, inFlight);
        if (inFlight === 3) three.resolve();
        await three.promise;
        // Let every request the client sent by now reach the server before any is answered.
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
      },
    });
    h.server.expireAccessTokens();
    const answers = await Promise.all(Array.from({ length: 20 }, () => h.client.query(STUDENTS)));
    expect(answers).toHaveLength(20);
    expect(peak).toBe(3);
    expect(h.server.stats.refreshes).toBe(1);
  });

  it('starts at most `intervalCap` requests per `interval`', async () => {
    // Fake timers drive the pacer's windows, and axios-mock-adapter answers without sockets: the
    // count per window is exact, however busy the machine.
    jest.useFakeTimers();
    try {
      const api = axios.create({ baseURL: 'https://api.example.test/' });
      const mock = new MockAdapter(api);
      let started = 0;
      mock.onPost('').reply(() => (started++, [200, { data: { students: [] } }]));
      attachTokenRefresh(api, { tokens: { accessToken: 'a', refreshToken: 'r' }, rateLimit: { intervalCap: 5, interval: 200 } });
      const calls = Promise.all(Array.from({ length: 12 }, () => createGraphQLClient(api).query(STUDENTS)));
      await jest.advanceTimersByTimeAsync(0);
      expect(started).toBe(5);
      await jest.advanceTimersByTimeAsync(199);
      expect(started).toBe(5);
      await jest.advanceTimersByTimeAsync(1);
      expect(started).toBe(10);
      await jest.advanceTimersByTimeAsync(200);
      expect(started).toBe(12);
      await expect(calls).resolves.toHaveLength(12);
    } finally {
      jest.useRealTimers();
    }
  });

  it('gives the slot back when a paced request is aborted while waiting', async () => {
    const h = await harness({ rateLimit: { concurrency: 1 } });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    h.server.set({ beforeAuth: (req) => (req.operationName === 'Students' ? gate : undefined) });
    const first = h.client.query(STUDENTS);
    const controller = new AbortController();
    const waiting = h.client.query(STUDENTS, {}, { signal: controller.signal });
    controller.abort();
    expect(axios.isCancel(await waiting.catch((e: unknown) => e))).toBe(true);
    release();
    await first;
    h.server.set({ beforeAuth: undefined });
    await expect(h.client.query(STUDENTS)).resolves.toBeTruthy();
  });
});

describe('attachTokenRefresh(instance, { retry }): other routes', () => {
  it('does not retry requests the plugin does not handle (another origin on the same instance)', async () => {
    const h = await harness({ retry: { retries: 2, ...fast } });
    const { startTestServer } = await import('../support/graphql-server');
    const other = await startTestServer();
    try {
      other.set({ failNext: { operationName: '*', count: 5, kind: 'http500' } });
      await expect(h.api.get(other.url.replace('127.0.0.1', 'localhost'))).rejects.toMatchObject({ response: { status: 500 } });
      expect(other.stats.requests).toBe(1);
    } finally {
      await other.close();
    }
  });
});

describe('attachTokenRefresh(instance, { retry }): what counts as a query', () => {
  it('retries GraphQL over HTTP GET', async () => {
    const h = await harness({ retry: { retries: 2, ...fast } });
    h.server.set({ failNext: { operationName: 'Students', count: 2, kind: 'http500' } });
    const res = await h.api.get('', {
      params: { query: STUDENTS.source, operationName: 'Students', variables: JSON.stringify({ limit: 2 }) },
    });
    expect(res.data.data.students).toHaveLength(2);
    expect(h.studentRequests()).toHaveLength(3);
  });

  it('retries a persisted query that carries its text, but not one sent by hash only over POST (it might be a mutation)', async () => {
    const h = await harness({ retry: { retries: 2, ...fast } });
    h.server.set({ failNext: { operationName: 'Students', count: 1, kind: 'http500' } });
    const withText = {
      query: STUDENTS.source,
      operationName: 'Students',
      extensions: { persistedQuery: { version: 1, sha256Hash: 'abc' } },
    };
    await expect(h.api.post('', withText)).resolves.toMatchObject({ status: 200 });
    h.server.set({ failNext: { operationName: 'Students', count: 1, kind: 'http500' } });
    const hashOnly = { operationName: 'Students', extensions: { persistedQuery: { version: 1, sha256Hash: 'abc' } } };
    await expect(h.api.post('', hashOnly)).rejects.toMatchObject({ response: { status: 500 } });
    expect(h.studentRequests()).toHaveLength(2 + 1);
  });
});

describe.each(['before', 'after'] as const)(
  "attachTokenRefresh(instance) with the user's own axios-retry installed %s attaching",
  (where) => {
    async function withAxiosRetry(options: Omit<TokenRefreshOptions, 'tokens'> = {}) {
      const { startTestServer } = await import('../support/graphql-server');
      const server = await startTestServer();
      const api = axios.create({ baseURL: server.url });
      const install = () => axiosRetry(api, { retries: 3, retryDelay: () => 0 });
      if (where === 'before') install();
      const t = server.issueTokens();
      const auth = attachTokenRefresh(api, { tokens: { accessToken: t.accessToken, refreshToken: t.refreshToken }, ...options });
      if (where === 'after') install();
      return { server, api, auth, client: createGraphQLClient(api) };
    }
    const servers: Array<{ close(): Promise<void> }> = [];
    afterEach(() => Promise.all(servers.splice(0).map((s) => s.close())));

    it('retries a REST route of the instance itself (503, 503, 200)', async () => {
      const h = await withAxiosRetry();
      servers.push(h.server);
      h.server.set({ failNext: { operationName: '*', count: 2, kind: 'http503' } });
      await expect(h.api.get(`${h.server.origin}/rest/public/status`)).resolves.toMatchObject({ status: 200 });
      expect(h.server.received.filter((r) => r.url.startsWith('/rest/'))).toHaveLength(3);
    });

    it('retries a query after network failures, each send carrying the current token', async () => {
      const h = await withAxiosRetry({ retry: false });
      servers.push(h.server);
      h.server.set({ failNext: { operationName: 'Students', count: 2, kind: 'network' } });
      await expect(h.client.query(STUDENTS, { limit: 1 })).resolves.toMatchObject({ students: [expect.anything()] });
      const sends = h.server.received.filter((r) => r.operationName === 'Students');
      expect(sends).toHaveLength(3);
      expect(sends.every((r) => h.server.acceptsAccessToken(r.authorization?.replace('Bearer ', '')))).toBe(true);
    });

    it('refreshes an expired token once and replays; axios-retry never resends the UNAUTHENTICATED answer', async () => {
      const h = await withAxiosRetry();
      servers.push(h.server);
      h.server.expireAccessTokens();
      await expect(h.client.query(STUDENTS, { limit: 1 })).resolves.toMatchObject({ students: [expect.anything()] });
      expect(h.server.stats.refreshes).toBe(1);
      expect(h.server.received.filter((r) => r.operationName === 'Students')).toHaveLength(2);
      expect(h.auth.stats).toMatchObject({ refreshes: 1, replays: 1 });
    });
  },
);
