import axios, { type AxiosRequestConfig } from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { createGraphQLClient, gql, isGraphQLRequestError } from '../../lib';
import { axiosError } from '../support/axios-errors';

// Coalescing in the GraphQL client (docs/graphql-client.md#coalescing): identical queries in flight
// are sent once, each caller gets its own copy of the answer. Here the logic, on axios-mock-adapter;
// aborts, timeouts and the plugin's replays against real servers in spec/integration/coalesce.spec.ts.

const STUDENTS = gql<{ echo: Echo }, { limit?: number; filter?: unknown }>`query Students($limit: Int, $filter: Filter) { echo }`;

interface Echo {
  /** The request's sequence number on the server: two callers with the same `n` shared a request. */
  n: number;
  method: string;
  url: string;
  body: { query: string; variables?: Record<string, unknown>; operationName?: string };
  headers: Record<string, unknown>;
  list: Array<{ name: string }>;
}

function deferred() {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
}

/** An instance whose server echoes each request, and answers only once `release()` is called (requests stay in flight). */
function setup(options: Parameters<typeof createGraphQLClient>[1] = {}) {
  const api = axios.create({ baseURL: 'https://api.example.test/' });
  const mock = new MockAdapter(api);
  const sent: AxiosRequestConfig[] = [];
  const gate = deferred();
  mock.onAny().reply(async (config) => {
    sent.push(config);
    await gate.promise;
    const headers = JSON.parse(JSON.stringify(config.headers ?? {}));
    const body = typeof config.data === 'string' && config.data ? JSON.parse(config.data) : {};
    const echo: Echo = {
      n: sent.indexOf(config),
      method: config.method ?? '',
      url: config.url ?? '',
      body,
      headers,
      list: [{ name: 'a' }],
    };
    return [200, { data: { echo } }, { 'x-server': 'mock' }];
  });
  return { api, mock, sent, release: gate.release, client: createGraphQLClient(api, { url: 'graphql', ...options }) };
}

describe('createGraphQLClient(instance): identical queries in flight are sent once', () => {
  it('sends 10 identical queries once and answers every caller; stats.coalesced counts the 9 not sent', async () => {
    const { client, sent, release } = setup();
    const calls = Array.from({ length: 10 }, () => client.query(STUDENTS, { limit: 5 }));
    release();
    const results = await Promise.all(calls);
    expect(sent).toHaveLength(1);
    for (const result of results) expect(result.echo).toMatchObject({ n: 0, body: { variables: { limit: 5 }, operationName: 'Students' } });
    expect(client.stats.coalesced).toBe(9);
  });

  it('gives each caller its own copy: one caller changing its data changes no other', async () => {
    const { client, sent, release } = setup();
    const [a, b, c] = [client.query(STUDENTS), client.query(STUDENTS), client.request(STUDENTS)];
    release();
    const [first, second, third] = await Promise.all([a, b, c]);
    expect(sent).toHaveLength(1);
    first.echo.list[0]!.name = 'changed by the first caller';
    first.echo.list.push({ name: 'extra' });
    (third.response.data as { data: { echo: Echo } }).data.echo.n = 99;
    expect(second.echo.list).toEqual([{ name: 'a' }]);
    expect(third.data?.echo.list).toEqual([{ name: 'a' }]);
    expect(second.echo.n).toBe(0);
  });

  it('gives each caller its own response object, headers included', async () => {
    const { client, release } = setup();
    const calls = [client.request(STUDENTS), client.request(STUDENTS)];
    release();
    const [a, b] = await Promise.all(calls);
    expect(a!.response).not.toBe(b!.response);
    expect(a!.response.data).not.toBe(b!.response.data);
    expect(a!.response.config).not.toBe(b!.response.config);
    (a!.response.headers as Record<string, unknown>)['x-changed'] = 'yes';
    expect((b!.response.headers as Record<string, unknown>)['x-changed']).toBeUndefined();
    expect(a!.response.status).toBe(200);
    expect(b!.response.status).toBe(200);
  });

  it("gives each caller its own copy when a response interceptor of the user's unwraps the body", async () => {
    const { api, client, sent, release } = setup();
    api.interceptors.response.use((response) => response.data);
    const calls = [client.query(STUDENTS), client.query(STUDENTS)];
    release();
    const [a, b] = await Promise.all(calls);
    expect(sent).toHaveLength(1);
    a.echo.list.push({ name: 'extra' });
    expect(b.echo.list).toEqual([{ name: 'a' }]);
  });

  it('gives each caller its own GraphQLRequestError', async () => {
    const { api, client } = setup();
    const mock = new MockAdapter(api);
    const gate = deferred();
    let sent = 0;
    mock.onAny().reply(async () => {
      sent++;
      await gate.promise;
      return [200, { data: { echo: { partial: [1] } }, errors: [{ message: 'slow field', path: ['echo'], extensions: { code: 'BAD' } }] }];
    });
    const calls = [client.query(STUDENTS).catch((e) => e), client.query(STUDENTS).catch((e) => e), client.query(STUDENTS).catch((e) => e)];
    gate.release();
    const errors = await Promise.all(calls);
    expect(sent).toBe(1);
    for (const error of errors) expect(isGraphQLRequestError(error)).toBe(true);
    expect(new Set(errors).size).toBe(3);
    errors[0].errors[0].message = 'changed';
    errors[0].data.echo.partial.push(2);
    errors[0].response.data.errors.length = 0;
    expect(errors[1].errors[0].message).toBe('slow field');
    expect(errors[2].message).toBe('slow field');
    expect(errors[1].data.echo.partial).toEqual([1]);
    expect(errors[2].response.data.errors).toHaveLength(1);
    expect(errors[1].code).toBe('BAD');
  });

  it('gives each caller its own axios error for a transport failure', async () => {
    const { api, client } = setup();
    const mock = new MockAdapter(api);
    const gate = deferred();
    let sent = 0;
    mock.onAny().reply(async () => {
      sent++;
      await gate.promise;
      return [502, { html: '<html>Bad gateway</html>' }];
    });
    const calls = [client.query(STUDENTS).catch((e) => e), client.query(STUDENTS).catch((e) => e)];
    gate.release();
    const [a, b] = await Promise.all(calls);
    expect(sent).toBe(1);
    expect(a).not.toBe(b);
    for (const error of [a, b]) {
      expect(axios.isAxiosError(error)).toBe(true);
      expect(error).toBeInstanceOf(Error);
      expect(error.response.status).toBe(502);
      expect(error.message).toBe('Request failed with status code 502');
      if ((axios as { AxiosError?: unknown }).AxiosError)
        expect(error).toBeInstanceOf((axios as unknown as { AxiosError: typeof Error }).AxiosError);
    }
    a.response.data.html = 'changed';
    a.config.headers['X-Changed'] = 'yes';
    expect(b.response.data.html).toBe('<html>Bad gateway</html>');
    expect(b.config.headers['X-Changed']).toBeUndefined();
  });

  it('sends a query again once the identical one in flight has settled (in flight only, no cache)', async () => {
    const { client, sent, release } = setup();
    release();
    await client.query(STUDENTS);
    await client.query(STUDENTS);
    expect(sent).toHaveLength(2);
    expect(client.stats.coalesced).toBe(0);
  });

  it('treats variables with their keys in another order, at any depth, as the same', async () => {
    const { client, sent, release } = setup();
    const calls = [
      client.query(STUDENTS, { limit: 5, filter: { school: 'a', grades: [1, 2], where: { x: 1, y: null } } }),
      client.query(STUDENTS, { filter: { where: { y: null, x: 1 }, grades: [1, 2], school: 'a' }, limit: 5 }),
    ];
    release();
    await Promise.all(calls);
    expect(sent).toHaveLength(1);
  });

  it('keys variables holding a __proto__ key like any other, and copies an answer holding one faithfully', async () => {
    const { api, client } = setup();
    const mock = new MockAdapter(api);
    const gate = deferred();
    const bodies: string[] = [];
    mock.onAny().reply(async (config) => {
      bodies.push(config.data);
      await gate.promise;
      return [200, '{"data":{"map":{"__proto__":{"polluted":true},"plain":1}}}', { 'content-type': 'application/json' }];
    });
    const variables = JSON.parse('{"filter":{"__proto__":{"admin":true},"a":1}}');
    const calls = [client.query(STUDENTS, variables), client.query(STUDENTS, JSON.parse('{"filter":{"a":1,"__proto__":{"admin":true}}}'))];
    gate.release();
    const [first, second] = await Promise.all(calls);
    expect(bodies).toHaveLength(1);
    for (const answer of [first, second] as unknown as Array<{ map: Record<string, unknown> }>) {
      expect(Object.getPrototypeOf(answer.map)).toBe(Object.prototype);
      expect(Object.keys(answer.map)).toEqual(['__proto__', 'plain']);
      expect((answer.map as { polluted?: unknown }).polluted).toBeUndefined();
    }
  });

  it('treats no variables and empty variables as the same', async () => {
    const { client, sent, release } = setup();
    const calls = [client.query(STUDENTS), client.query(STUDENTS, {}), client.query(STUDENTS, { filter: undefined })];
    release();
    await Promise.all(calls);
    expect(sent).toHaveLength(1);
  });

  it('coalesces huge variable objects whatever their key order', async () => {
    const { client, sent, release } = setup();
    const keys = Array.from({ length: 20_000 }, (_, i) => `k${i}`);
    const forward = Object.fromEntries(keys.map((k, i) => [k, i]));
    const backward = Object.fromEntries([...keys].reverse().map((k) => [k, forward[k]]));
    const calls = [client.query(STUDENTS, { filter: forward }), client.query(STUDENTS, { filter: backward })];
    release();
    const [a, b] = await Promise.all(calls);
    expect(sent).toHaveLength(1);
    expect(Object.keys(a.echo.body.variables!.filter as object)).toHaveLength(20_000);
    expect(b.echo.body.variables).toEqual(a.echo.body.variables);
  });

  it('sends what the first caller asked for when it was called, even if it changes its variables afterwards', async () => {
    const { client, sent, release } = setup();
    const variables = { limit: 1 };
    const first = client.query(STUDENTS, variables);
    variables.limit = 2;
    const second = client.query(STUDENTS, { limit: 1 });
    release();
    const [, answer] = await Promise.all([first, second]);
    expect(sent).toHaveLength(1);
    expect(answer.echo.body.variables).toEqual({ limit: 1 });
  });

  it.each([
    ['different variables', [{ limit: 1 }, {}], [{ limit: 2 }, {}]],
    ['a variable absent vs null', [{ limit: null }, {}], [{}, {}]],
    [
      'a caller-set Authorization header',
      [{}, { headers: { Authorization: 'Bearer user-a' } }],
      [{}, { headers: { Authorization: 'Bearer user-b' } }],
    ],
    ['Authorization set by one caller only', [{}, { headers: { Authorization: 'Bearer user-a' } }], [{}, {}]],
    ['a tenant header', [{}, { headers: { 'X-Tenant': 'school-1' } }], [{}, { headers: { 'X-Tenant': 'school-2' } }]],
    ['responseType', [{}, { responseType: 'text' }], [{}, { responseType: 'json' }]],
    ['the url', [{}, { url: 'graphql' }], [{}, { url: 'other/graphql' }]],
    ['the baseURL', [{}, { baseURL: 'https://api.example.test/' }], [{}, { baseURL: 'https://tenant.example.test/' }]],
    ['GET vs POST', [{}, { method: 'get' }], [{}, { method: 'post' }]],
    ['timeout', [{}, { timeout: 1000 }], [{}, { timeout: 2000 }]],
    ['skipAuth', [{}, { skipAuth: true }], [{}, {}]],
    ['skipAuthRefresh', [{}, { skipAuthRefresh: true }], [{}, {}]],
    ['params', [{}, { params: { tenant: 1 } }], [{}, { params: { tenant: 2 } }]],
    ['a transformResponse of the caller', [{}, { transformResponse: [(d: unknown) => d] }], [{}, {}]],
  ] as Array<[string, [object, AxiosRequestConfig], [object, AxiosRequestConfig]]>)(
    'sends both when they differ by %s',
    async (_, [varsA, configA], [varsB, configB]) => {
      const { client, sent, release } = setup();
      const calls = [client.request(STUDENTS, varsA, configA), client.request(STUDENTS, varsB, configB)];
      release();
      await Promise.all(calls);
      expect(sent).toHaveLength(2);
      expect(client.stats.coalesced).toBe(0);
    },
  );

  it('gives a caller with another Authorization header the answer to its own request', async () => {
    const { client, release } = setup();
    const calls = [
      client.query(STUDENTS, {}, { headers: { Authorization: 'Bearer user-a' } }),
      client.query(STUDENTS, {}, { headers: { Authorization: 'Bearer user-b' } }),
    ];
    release();
    const [a, b] = await Promise.all(calls);
    expect(a.echo.headers.Authorization).toBe('Bearer user-a');
    expect(b.echo.headers.Authorization).toBe('Bearer user-b');
  });

  it('coalesces calls whose headers differ only in the case of their names, or by tracing headers', async () => {
    const { client, sent, release } = setup();
    const calls = [
      client.query(STUDENTS, {}, { headers: { 'X-Tenant': 's1', traceparent: '00-aaaa-01', 'X-Request-Id': 'r1' } }),
      client.query(STUDENTS, {}, { headers: { 'x-tenant': 's1', traceparent: '00-bbbb-01', 'x-request-id': 'r2' } }),
      client.query(STUDENTS, {}, { headers: { 'X-TENANT': 's1' } }),
    ];
    release();
    const [a] = await Promise.all(calls);
    expect(sent).toHaveLength(1);
    expect(a.echo.headers.traceparent).toBe('00-aaaa-01'); // the first caller's went out
  });

  it('ignores the headers named in `coalesce.ignoreHeaders` (which replaces the default list)', async () => {
    const { client, sent, release } = setup({ coalesce: { ignoreHeaders: ['X-Debug'] } });
    const calls = [
      client.query(STUDENTS, {}, { headers: { 'X-Debug': '1' } }),
      client.query(STUDENTS, {}, { headers: { 'x-debug': '2' } }),
      client.query(STUDENTS, {}, { headers: { traceparent: '00-cccc-01' } }),
    ];
    release();
    await Promise.all(calls);
    expect(sent).toHaveLength(2);
  });

  it("does not join a request sent before the instance's default headers changed", async () => {
    const { api, client, sent, release } = setup();
    api.defaults.headers.common.Authorization = 'Bearer user-a';
    const a = client.query(STUDENTS);
    api.defaults.headers.common.Authorization = 'Bearer user-b';
    const b = client.query(STUDENTS);
    release();
    const [first, second] = await Promise.all([a, b]);
    expect(sent).toHaveLength(2);
    expect(second.echo.headers.Authorization).toBe('Bearer user-b');
    expect(first.echo.n).not.toBe(second.echo.n);
  });

  it('never coalesces mutations: mutate(), a mutation document, or a document with any mutation or subscription', async () => {
    const { client, sent, release } = setup();
    const both = 'query Read { echo } mutation Write { echo }';
    const calls = [
      client.mutate(STUDENTS),
      client.mutate(STUDENTS),
      client.query('mutation { echo }'),
      client.query('mutation { echo }'),
      client.request('mutation M { echo }'),
      client.request('mutation M { echo }'),
      client.query(both),
      client.query(both),
      client.query('subscription { echo }'),
      client.query('subscription { echo }'),
    ];
    release();
    await Promise.allSettled(calls);
    expect(sent).toHaveLength(10);
    expect(client.stats.coalesced).toBe(0);
  });

  it('never lets a query called after a mutation was answered join a request sent before it (read your writes)', async () => {
    const { api, client } = setup();
    const mock = new MockAdapter(api);
    const list = deferred();
    const queries: number[] = [];
    mock.onAny().reply(async (config) => {
      const body = JSON.parse(config.data);
      if (body.query.startsWith('mutation')) return [200, { data: { addNote: { id: 1 } } }];
      const n = queries.push(1);
      if (n === 1) await list.promise; // the first list query is still in flight when the write is answered
      return [200, { data: { echo: { n } } }];
    });
    const before = client.query(STUDENTS);
    await client.mutate('mutation { addNote(text: "x") { id } }');
    const after = client.query(STUDENTS);
    list.release();
    const [old, fresh] = await Promise.all([before, after]);
    expect(queries).toHaveLength(2);
    expect((fresh.echo as unknown as { n: number }).n).toBe(2);
    expect((old.echo as unknown as { n: number }).n).toBe(1);
  });

  it('never coalesces a document it cannot read (it might be a mutation)', async () => {
    const { client, sent, release } = setup();
    const calls = [client.query('{ echo } mutation'), client.query('{ echo } mutation')];
    release();
    await Promise.allSettled(calls);
    expect(sent).toHaveLength(2);
  });

  it('sends a call with `coalesce: false` on its own: it neither joins nor is joined', async () => {
    const { client, sent, release } = setup();
    const calls = [
      client.query(STUDENTS, {}, { coalesce: false }),
      client.query(STUDENTS, {}),
      client.query(STUDENTS, {}, { coalesce: false }),
      client.query(STUDENTS, {}, { coalesce: true }),
    ];
    release();
    await Promise.all(calls);
    expect(sent).toHaveLength(3);
    expect(client.stats.coalesced).toBe(1);
  });

  it('sends every call on its own with createGraphQLClient(instance, { coalesce: false }), unless a call asks for it', async () => {
    const { client, sent, release } = setup({ coalesce: false });
    const calls = [
      client.query(STUDENTS),
      client.query(STUDENTS),
      client.query(STUDENTS, {}, { coalesce: true }),
      client.query(STUDENTS, {}, { coalesce: true }),
    ];
    release();
    await Promise.all(calls);
    expect(sent).toHaveLength(3);
    expect(client.stats.coalesced).toBe(1);
  });

  it('never coalesces streamed answers (a stream can be read once)', async () => {
    const { client, sent, release } = setup();
    const calls = [client.request(STUDENTS, {}, { responseType: 'stream' }), client.request(STUDENTS, {}, { responseType: 'stream' })];
    release();
    await Promise.allSettled(calls);
    expect(sent).toHaveLength(2);
  });

  it('runs a throwing request interceptor once, and every caller rejects with its own copy of its error', async () => {
    const { api, client, sent } = setup();
    let runs = 0;
    api.interceptors.request.use(() => {
      runs++;
      throw Object.assign(new Error('tenant unknown'), { code: 'E_TENANT' });
    });
    const errors = await Promise.all([client.query(STUDENTS).catch((e) => e), client.query(STUDENTS).catch((e) => e)]);
    expect(runs).toBe(1);
    expect(sent).toHaveLength(0);
    expect(errors[0]).not.toBe(errors[1]);
    for (const error of errors) {
      expect(error).toBeInstanceOf(Error);
      expect(error).toMatchObject({ message: 'tenant unknown', code: 'E_TENANT' });
    }
  });

  it('sends variables it cannot key (a cycle, a BigInt) as before: each caller gets what axios says', async () => {
    const { client, sent, release } = setup();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    release();
    const results = await Promise.allSettled([
      client.query(STUDENTS, { filter: cyclic }),
      client.query(STUDENTS, { filter: cyclic }),
      client.query(STUDENTS, { filter: 1n }),
    ]);
    for (const result of results) expect(result.status).toBe('rejected');
    expect(sent).toHaveLength(0);
  });

  it('validates `coalesce`', () => {
    const api = axios.create();
    expect(() => createGraphQLClient(api, { coalesce: 'yes' as never })).toThrow(
      'Expected `options.coalesce` to be a boolean or an object, got `"yes"`',
    );
    expect(() => createGraphQLClient(api, { coalesce: { ignoreHeaders: 'traceparent' as never } })).toThrow(
      'Expected `options.coalesce.ignoreHeaders` to be an array of header names, got `"traceparent"`',
    );
  });
});

describe('createGraphQLClient(instance): a shared request that times out', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  /** Each request takes `took[n]` ms, or times out after its own `timeout` as axios would when it takes longer. */
  function slowServer(took: number[]) {
    const api = axios.create({ baseURL: 'https://api.example.test/', timeout: 1000 });
    const mock = new MockAdapter(api);
    const sent: Array<{ at: number; signal?: AbortSignal }> = [];
    mock.onAny().reply(async (config) => {
      const n = sent.push({ at: Date.now(), signal: config.signal as AbortSignal }) - 1;
      const wait = took[n] ?? 0;
      await new Promise((resolve) => setTimeout(resolve, Math.min(wait, config.timeout!)));
      if (wait > config.timeout!) throw axiosError(`timeout of ${config.timeout}ms exceeded`, 'ECONNABORTED', config);
      return [200, { data: { n } }];
    });
    return { sent, client: createGraphQLClient(api) };
  }

  it('gives the timeout to callers whose own timeout has run out too, and sends again for one that joined later', async () => {
    const { sent, client } = slowServer([5000, 10]);
    const first = client.query('{ n }').catch((e) => e);
    const alongside = client.query('{ n }').catch((e) => e);
    await jest.advanceTimersByTimeAsync(400);
    const later = client.query('{ n }');
    await jest.advanceTimersByTimeAsync(600);
    for (const error of [await first, await alongside]) {
      expect(axios.isAxiosError(error)).toBe(true);
      expect(error).toMatchObject({ code: 'ECONNABORTED', message: 'timeout of 1000ms exceeded' });
    }
    await jest.advanceTimersByTimeAsync(10);
    await expect(later).resolves.toEqual({ n: 1 });
    expect(sent.map((s) => s.at)).toEqual([0, 1000]);
  });

  it('holds a caller sent again to its own timeout, counted from its call, and cancels the request nobody waits for', async () => {
    const { sent, client } = slowServer([5000, 5000]);
    const first = client.query('{ n }').catch((e) => e);
    await jest.advanceTimersByTimeAsync(400);
    let settledAt: number | undefined;
    const later = client.query('{ n }').catch((e) => ((settledAt = Date.now()), e));
    await jest.advanceTimersByTimeAsync(600);
    expect((await first).code).toBe('ECONNABORTED');
    await jest.advanceTimersByTimeAsync(400);
    const error = await later;
    expect(settledAt).toBe(1400);
    expect(axios.isAxiosError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ECONNABORTED', message: 'timeout of 1000ms exceeded' });
    expect(sent).toHaveLength(2);
    expect(sent[1]!.signal?.aborted).toBe(true);
  });
});
