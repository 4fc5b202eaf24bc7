import axios from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { attachTokenRefresh, createGraphQLClient, isGraphQLRequestError, isSessionExpiredError } from '../../lib';
import { createOriginPolicy } from '../../lib/policy/origin';

const UNAUTH = { errors: [{ message: 'Authentication required', extensions: { code: 'UNAUTHENTICATED' } }] };

function setup(options: Parameters<typeof attachTokenRefresh>[1] = {}) {
  const api = axios.create({ baseURL: 'https://api.example.test/graphql' });
  const mock = new MockAdapter(api);
  const auth = attachTokenRefresh(api, { tokens: { accessToken: 'old', refreshToken: 'r1' }, ...options });
  const sent: Array<{ auth?: string; body: any }> = [];
  const record = (config: any) => sent.push({ auth: config.headers?.Authorization, body: JSON.parse(config.data) });
  return { api, mock, auth, sent, record, client: createGraphQLClient(api) };
}

type Reply = [number, unknown];

/** One mock route: the refresh mutation gets `refresh`, every other request `other`. */
function route(mock: MockAdapter, refresh: Reply, other: (config: any) => Reply) {
  mock.onPost('').reply((config) => {
    const body = typeof config.data === 'string' ? JSON.parse(config.data) : config.data;
    return !Array.isArray(body) && body?.operationName === 'RefreshToken' ? refresh : other(config);
  });
}

const REFRESHED: Reply = [200, { data: { refreshToken: { accessToken: 'new', expiresIn: 900 } } }];

describe('attachTokenRefresh(instance) with axios-mock-adapter', () => {
  it('detects UNAUTHENTICATED in one entry of a batched answer and replays the batch', async () => {
    const { api, mock, record, sent } = setup();
    route(mock, REFRESHED, (config) => {
      record(config);
      const fresh = config.headers?.Authorization === 'Bearer new';
      return [200, [{ data: { a: 1 } }, fresh ? { data: { b: 2 } } : UNAUTH]];
    });
    const res = await api.post('', [{ query: '{ a }' }, { query: '{ b }' }]);
    expect(res.data).toEqual([{ data: { a: 1 } }, { data: { b: 2 } }]);
    expect(sent.map((s) => s.auth)).toEqual(['Bearer old', 'Bearer new']);
  });

  it('does not refresh for FORBIDDEN; the client throws GraphQLRequestError with that code', async () => {
    const { mock, client, auth } = setup();
    mock.onPost('').reply(200, {
      data: { students: null },
      errors: [{ message: 'User is not assigned to a school', path: ['students'], extensions: { code: 'FORBIDDEN' } }],
    });
    const error = await client.query('{ students { id } }').catch((e) => e);
    expect(isGraphQLRequestError(error)).toBe(true);
    expect(error.code).toBe('FORBIDDEN');
    expect(auth.stats.refreshes).toBe(0);
  });

  it('treats a refresh answer without accessToken as a rejection (session expired)', async () => {
    const { mock, client } = setup();
    route(mock, [200, { data: { refreshToken: null } }], () => [200, UNAUTH]);
    expect(isSessionExpiredError(await client.query('{ a }').catch((e) => e))).toBe(true);
  });

  it('uses a custom refresh and isAuthError', async () => {
    const calls: Array<{ refreshToken: string; signal: unknown }> = [];
    const { mock, client } = setup({
      // Recorded, asserted below: an expect thrown in here would only become a refresh failure.
      refresh: async ({ refreshToken, signal }) => {
        calls.push({ refreshToken, signal });
        return { accessToken: 'custom' };
      },
      isAuthError: (response) => response?.data?.errors?.[0]?.message === 'jwt expired',
    });
    mock.onPost('').replyOnce(200, { errors: [{ message: 'jwt expired' }] });
    mock.onPost('').reply((config) => [200, { data: { who: config.headers?.Authorization } }]);
    await expect(client.query('{ who }')).resolves.toEqual({ who: 'Bearer custom' });
    expect(calls).toEqual([{ refreshToken: 'r1', signal: expect.any(AbortSignal) }]);
  });

  it('replays on a custom auth status code', async () => {
    const { mock, client } = setup({ authStatusCodes: [419], refresh: async () => ({ accessToken: 'n' }) });
    mock.onPost('').replyOnce(419, 'expired');
    mock.onPost('').reply(200, { data: { ok: true } });
    await expect(client.query('{ ok }')).resolves.toEqual({ ok: true });
  });
});

describe('createOriginPolicy (default shouldAttachToken)', () => {
  const instance = axios.create({ baseURL: 'https://data.nextschool.io/' });
  const allow = createOriginPolicy(instance, '');
  it('allows the baseURL origin and relative URLs', () => {
    expect(allow({ url: '', baseURL: 'https://data.nextschool.io/' } as never)).toBe(true);
    expect(allow({ url: '/graphql', baseURL: 'https://data.nextschool.io/' } as never)).toBe(true);
    expect(allow({ url: '/x' } as never)).toBe(true);
  });
  it('refuses other origins, ports, schemes and look-alike hosts', () => {
    expect(allow({ url: 'https://evil.example/' } as never)).toBe(false);
    expect(allow({ url: 'https://data.nextschool.io.evil.example/' } as never)).toBe(false);
    expect(allow({ url: 'http://data.nextschool.io/' } as never)).toBe(false);
    expect(allow({ url: 'https://data.nextschool.io:8443/' } as never)).toBe(false);
    expect(allow({ url: '//evil.example/' } as never)).toBe(false);
  });
  it('follows a baseURL changed after attaching', () => {
    const moving = axios.create({ baseURL: 'https://old.example/' });
    const policy = createOriginPolicy(moving, '');
    expect(policy({ url: 'https://old.example/q' } as never)).toBe(true);
    moving.defaults.baseURL = 'https://new.example/';
    expect(policy({ url: 'https://old.example/q' } as never)).toBe(false);
    expect(policy({ url: 'https://new.example/q' } as never)).toBe(true);
  });

  it('allows the origin of an absolute `url` option', () => {
    const policy = createOriginPolicy(axios.create(), 'https://sandbox.nextschool.io/');
    expect(policy({ url: 'https://sandbox.nextschool.io/' } as never)).toBe(true);
    expect(policy({ url: 'https://data.nextschool.io/' } as never)).toBe(false);
  });
});
