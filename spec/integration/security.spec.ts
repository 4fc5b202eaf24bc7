import { inspect } from 'node:util';
import axios from 'axios';
import { attachTokenRefresh, createGraphQLClient, gql, isGraphQLRequestError, LoginError } from '../../lib';
import { startTestServer } from '../support/graphql-server';
import { closeAll, harness, holdOperation, STUDENTS } from '../support/setup';

afterEach(closeAll);

describe('attachTokenRefresh(instance): tokens only to the API origin', () => {
  it('sends no token to another origin through the same instance', async () => {
    const h = await harness();
    const other = await startTestServer();
    try {
      await h.api.post(other.url, { query: '{ me }' });
      await h.api.post(other.url.replace('127.0.0.1', 'localhost'), { query: '{ me }' });
      await h.client.query(STUDENTS);
      expect(other.received.map((r) => r.authorization)).toEqual([undefined, undefined]);
      expect(h.studentRequests()).toEqual([h.initial.accessToken]);
    } finally {
      await other.close();
    }
  });

  it('honours skipAuth (no token) and skipAuthRefresh (token, never refreshed or replayed)', async () => {
    const h = await harness();
    await h.api.post('', { query: STUDENTS.source, operationName: 'Students' }, { skipAuth: true });
    h.server.expireAccessTokens();
    const passive = await h.api.post('', { query: STUDENTS.source, operationName: 'Students' }, { skipAuthRefresh: true });
    expect(passive.data.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(h.studentRequests()).toEqual([undefined, h.initial.accessToken]);
    expect(h.server.stats.refreshes).toBe(0);
  });

  it('uses a custom shouldAttachToken', async () => {
    const h = await harness();
    const api = axios.create({ baseURL: h.server.url });
    attachTokenRefresh(api, { tokens: h.initial, shouldAttachToken: (config) => config.headers?.['X-Auth'] === 'yes' });
    await api.post('', { query: STUDENTS.source, operationName: 'Students' });
    await api.post('', { query: STUDENTS.source, operationName: 'Students' }, { headers: { 'X-Auth': 'yes' } });
    expect(h.studentRequests()).toEqual([undefined, h.initial.accessToken]);
  });
});

describe('attachTokenRefresh(instance): the default refresh (NextSchool mutation)', () => {
  it('sends the refresh token as a variable, without an Authorization header, and works with ", } and # in it', async () => {
    const h = await harness({}, { makeRefreshToken: (n) => `rt"${n}}#{"x":1}\\` });
    expect(h.initial.refreshToken).toMatch(/"/);
    h.server.expireAccessTokens();
    await h.client.query(STUDENTS);
    const refresh = h.server.received.find((r) => r.operationName === 'RefreshToken')!;
    const body = JSON.parse(refresh.body);
    expect(body.variables).toEqual({ refreshToken: h.initial.refreshToken });
    expect(body.query).not.toContain(h.initial.refreshToken);
    expect(body.query).toMatch(/refreshToken\(refreshToken: \$refreshToken\) \{ accessToken expiresIn \}/);
    expect(refresh.authorization).toBeUndefined();
  });

  it('is not broken by a user response interceptor that reshapes data, nor a static Authorization default', async () => {
    const h = await harness();
    const api = axios.create({ baseURL: h.server.url, headers: { Authorization: 'Bearer static-default' } });
    attachTokenRefresh(api, { tokens: h.initial });
    api.interceptors.response.use((response) => ({ ...response, data: { wrapped: response.data } }));
    h.server.expireAccessTokens();
    const answer = await api.post('', { query: STUDENTS.source, operationName: 'Students' });
    expect(answer.data.wrapped.data.students.length).toBeGreaterThan(0);
    const refresh = h.server.received.find((r) => r.operationName === 'RefreshToken')!;
    expect(refresh.authorization).toBeUndefined();
  });

  it('replaces the refresh token when the server rotates them (rotatingRefreshTokens)', async () => {
    const h = await harness({ rotatingRefreshTokens: true }, { rotate: true });
    for (let cycle = 0; cycle < 3; cycle++) {
      h.server.expireAccessTokens();
      await Promise.all(Array.from({ length: 10 }, () => h.client.query(STUDENTS)));
    }
    expect(h.server.stats.refreshes).toBe(3);
    const refreshTokens = h.server.received
      .filter((r) => r.operationName === 'RefreshToken')
      .map((r) => JSON.parse(r.body).variables.refreshToken);
    expect(new Set(refreshTokens).size).toBe(3); // never reused a spent one
    expect(h.server.received.find((r) => r.operationName === 'RefreshToken')!.body).toMatch(/accessToken refreshToken expiresIn/);
  });
});

describe('attachTokenRefresh(instance): no secret in any rendering', () => {
  it('renders no token, refresh token or password in the errors the library produces', async () => {
    const password = 'hunter2-"secret"';
    const logLines: string[] = [];
    const h = await harness(
      {
        logger: { debug: (message, meta) => logLines.push(`${message} ${JSON.stringify(meta ?? {})}`) },
        login: async () => {
          throw new LoginError('Invalid credentials');
        },
      },
      { password },
    );
    const errors: unknown[] = [];
    // Each call must fail: one that succeeds fails the test here, naming the step.
    const collect = async (step: string, p: Promise<unknown>) => {
      const outcome = await p.then(
        () => ({ ok: true as const }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      if (outcome.ok) throw new Error(`expected "${step}" to fail, it succeeded`);
      errors.push(outcome.error);
    };

    // A GraphQL error (FORBIDDEN-like): validation error answered 400 with a GraphQL body.
    await collect('validation error', h.client.query(gql`query Students { students { nope } }`));
    // A transport error on a request that carried the token.
    await collect('transport error', h.api.get('/missing', { validateStatus: (s) => s < 400 }));
    // Transient refresh failures.
    h.server.set({ refreshFault: 'network' });
    h.server.expireAccessTokens();
    await collect('refresh: network', h.client.query(STUDENTS));
    h.server.set({ refreshFault: 'http500' });
    await collect('refresh: http500', h.client.query(STUDENTS));
    // Aborted while waiting.
    h.server.set({ refreshFault: 'none' });
    const refresh = holdOperation(h.server, 'RefreshToken');
    const controller = new AbortController();
    const aborted = collect('aborted while the refresh runs', h.client.query(STUDENTS, {}, { signal: controller.signal }));
    await refresh.arrived;
    controller.abort();
    await aborted;
    refresh.release();
    // Session expired (refresh rejected, login rejected), then fail-fast.
    h.server.set({ refreshFault: 'reject' });
    h.server.expireAccessTokens();
    await collect('refresh rejected', h.client.query(STUDENTS));
    await collect('fail-fast after the session ended', h.client.query(STUDENTS));

    expect(errors).toHaveLength(7);
    const secrets = [
      h.initial.accessToken,
      h.initial.refreshToken,
      password,
      ...h.server.received.map((r) => r.authorization?.slice(7)).filter(Boolean),
    ] as string[];
    for (const error of errors) {
      const renderings = [
        String(error),
        (error as Error).stack ?? '',
        JSON.stringify(error),
        JSON.stringify((error as { toJSON?: () => unknown }).toJSON?.() ?? {}),
        inspect(error, { depth: 8 }),
        JSON.stringify((error as { config?: { headers?: unknown } }).config?.headers ?? {}),
      ];
      for (const text of renderings) for (const secret of secrets) expect(text).not.toContain(secret);
    }
    for (const line of logLines) for (const secret of secrets) expect(line).not.toContain(secret);
    expect(logLines.length).toBeGreaterThan(0);
  });

  it('gives GraphQLRequestError a cleaned response: no Authorization, no raw request', async () => {
    const h = await harness();
    const error = await h.client.query(gql`query Students { students { nope } }`).catch((e) => e);
    expect(isGraphQLRequestError(error)).toBe(true);
    expect(error.response.status).toBe(400);
    expect(error.response.request).toBeUndefined();
    expect(JSON.stringify(error.response.config.headers)).not.toContain(h.initial.accessToken);
  });

  it('keeps a client usable on a plain instance without the plugin', async () => {
    const h = await harness();
    const client = createGraphQLClient(axios.create({ baseURL: h.server.url }));
    const error = await client.query(STUDENTS).catch((e) => e);
    expect(error.code).toBe('UNAUTHENTICATED');
  });
});
