import axios, { type AxiosInstance } from 'axios';
import { attachTokenRefresh, createGraphQLClient, GraphQLRequestError, isGraphQLRequestError, type TokenRefreshHandle } from '../../lib';
import { startYogaServer, type YogaKnobs, type YogaTestServer } from '../support/yoga-server';

// The plugin against graphql-yoga 5, a second real server besides graphql-js: the project
// must not depend on one server's habits. Yoga answers validation errors with HTTP 400, speaks
// `application/graphql-response+json`, and takes an answer's HTTP status from
// `extensions.http.status` of an error thrown in a resolver or before execution.

const GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json';
const STUDENTS = 'query Students { students { id fullName } }';
const ORDER = 'mutation Order($id: Int!) { createOrder(id: $id) { id } audit(id: $id) }';

interface Setup {
  server: YogaTestServer;
  api: AxiosInstance;
  auth: TokenRefreshHandle;
  client: ReturnType<typeof createGraphQLClient>;
  initial: { accessToken: string; refreshToken: string };
}

const open: YogaTestServer[] = [];

async function setup(knobs: Partial<YogaKnobs> = {}, headers: Record<string, string> = {}): Promise<Setup> {
  const server = await startYogaServer(knobs);
  open.push(server);
  const api = axios.create({ baseURL: server.url, headers });
  const initial = server.issueTokens();
  const auth = attachTokenRefresh(api, { tokens: initial, retry: false });
  // One request per call, identical ones included: these cases are the plugin's (docs/graphql-client.md#coalescing).
  return { server, api, auth, client: createGraphQLClient(api, { coalesce: false }), initial };
}

const byOperation = (s: YogaTestServer, name: string) => s.received.filter((r) => r.operationName === name);

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

describe('graphql-yoga 5: the habits this suite relies on', () => {
  it.each([200, 401] as const)('answers an expired token with UNAUTHENTICATED at HTTP %s (extensions.http.status)', async (authStatus) => {
    const { server, initial } = await setup({ authStatus });
    server.expireAccessTokens();
    const raw = await axios.post(
      server.url,
      { query: STUDENTS },
      { headers: { Authorization: `Bearer ${initial.accessToken}` }, validateStatus: () => true },
    );
    expect(raw.status).toBe(authStatus);
    expect(raw.data.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(raw.data.errors[0].path).toEqual(['students']);
  });

  it('answers a request-level rejection (thrown while building the context) with 401 and no path', async () => {
    const { server, initial } = await setup({ authStatus: 401, requestLevel: true });
    server.expireAccessTokens();
    const raw = await axios.post(
      server.url,
      { query: STUDENTS },
      { headers: { Authorization: `Bearer ${initial.accessToken}` }, validateStatus: () => true },
    );
    expect(raw.status).toBe(401);
    expect(raw.data.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(raw.data.errors[0].path).toBeUndefined();
  });

  it(`answers a validation error with HTTP 400 in ${GRAPHQL_RESPONSE_JSON}`, async () => {
    const { server, initial } = await setup();
    const raw = await axios.post(
      server.url,
      { query: '{ nope }' },
      { headers: { Authorization: `Bearer ${initial.accessToken}`, Accept: GRAPHQL_RESPONSE_JSON }, validateStatus: () => true },
    );
    expect(raw.status).toBe(400);
    expect(String(raw.headers['content-type'])).toContain(GRAPHQL_RESPONSE_JSON);
  });
});

describe('attachTokenRefresh + createGraphQLClient against graphql-yoga 5', () => {
  it.each([200, 401] as const)(
    'runs one refresh for 50 concurrent expired queries (UNAUTHENTICATED at HTTP %s) and replays each once',
    async (authStatus) => {
      const { server, client, initial } = await setup({ authStatus });
      server.expireAccessTokens();
      const results = await Promise.all(Array.from({ length: 50 }, () => client.query<{ students: Array<{ id: number }> }>(STUDENTS)));

      expect(results.every((r) => r.students[0]?.id === 1)).toBe(true);
      expect(server.stats.refreshes).toBe(1);
      const sent = byOperation(server, 'Students').map((r) => r.authorization);
      const fresh = sent.filter((t) => t !== initial.accessToken);
      expect(sent.filter((t) => t === initial.accessToken)).toHaveLength(50);
      expect(fresh).toHaveLength(50);
      expect(new Set(fresh).size).toBe(1); // every replay carries the one new token
    },
  );

  it(`reads answers in ${GRAPHQL_RESPONSE_JSON}, an expired token's included`, async () => {
    const { server, client } = await setup({ authStatus: 401 }, { Accept: `${GRAPHQL_RESPONSE_JSON}, application/json;q=0.9` });
    server.expireAccessTokens();
    const result = await client.request<{ students: Array<{ id: number }> }>(STUDENTS);

    expect(String(result.response.headers['content-type'])).toContain(GRAPHQL_RESPONSE_JSON);
    expect(result.errors).toBeUndefined();
    expect(result.data?.students).toEqual([{ id: 1, fullName: 'Somchai Jaidee' }]);
    expect(server.stats.refreshes).toBe(1);
    expect(byOperation(server, 'Students')).toHaveLength(2);
  });

  it(`gives a validation error at HTTP 400 (${GRAPHQL_RESPONSE_JSON}) as a GraphQLRequestError with its message, without a refresh`, async () => {
    const { server, client, auth } = await setup({}, { Accept: GRAPHQL_RESPONSE_JSON });
    const error = await client.query('query Bad { nope }').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(GraphQLRequestError);
    const e = error as GraphQLRequestError;
    expect(e.message).toContain('Cannot query field "nope" on type "Query"');
    expect(e.errors[0]?.message).toContain('Cannot query field "nope"');
    expect(e.response?.status).toBe(400);
    expect(server.stats.refreshes).toBe(0);
    expect(auth.stats.replays).toBe(0);
    expect(byOperation(server, 'Bad')).toHaveLength(1);
  });

  it.each([401, 200] as const)(
    'does not replay a two-field mutation whose first field ran when the second fails UNAUTHENTICATED at HTTP %s',
    async (authStatus) => {
      const { server, client } = await setup({ authStatus, auditFails: true });
      const error = await client.mutate(ORDER, { id: 7 }).catch((e: unknown) => e);

      expect(isGraphQLRequestError(error) && error.code).toBe('UNAUTHENTICATED');
      expect((error as GraphQLRequestError).errors[0]?.path).toEqual(['audit']);
      expect(server.stats.ordersCreated).toBe(1);
      expect(byOperation(server, 'Order')).toHaveLength(1);
    },
  );

  it('replays a mutation rejected at request level with HTTP 401 once, with the new token, and it runs once', async () => {
    const { server, client, initial } = await setup({ authStatus: 401, requestLevel: true });
    server.expireAccessTokens();
    const data = await client.mutate<{ createOrder: { id: number }; audit: boolean }>(ORDER, { id: 8 });

    expect(data).toEqual({ createOrder: { id: 8 }, audit: true });
    expect(server.stats.refreshes).toBe(1);
    expect(server.stats.ordersCreated).toBe(1);
    const sent = byOperation(server, 'Order').map((r) => r.authorization);
    expect(sent).toHaveLength(2);
    expect(sent[0]).toBe(initial.accessToken);
    expect(sent[1]).not.toBe(initial.accessToken);
  });

  it('gives up after one replay when yoga keeps rejecting at request level: GraphQLRequestError UNAUTHENTICATED', async () => {
    const { server, client } = await setup({ authStatus: 401, requestLevel: true, acceptTokens: false });
    const error = await client.query(STUDENTS).catch((e: unknown) => e);

    expect(isGraphQLRequestError(error) && error.code).toBe('UNAUTHENTICATED');
    expect(byOperation(server, 'Students')).toHaveLength(2);
  });
});
