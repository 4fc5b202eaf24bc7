import axios, { type AxiosRequestConfig } from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { attachTokenRefresh, type TokenSet } from '../../lib';

// The token is written into axios 1.x headers directly, not through `AxiosHeaders.set` (the
// per-request CPU of docs/benchmarks.md): these pin that the request still carries exactly what
// `set` would have given it — one Authorization header whatever the case of the one it replaces,
// the value cleaned as axios cleans every header before sending, and the newest token after a change.

const URL = 'https://api.example.test/graphql';
const QUERY = { query: '{ ok }' };
const later = () => Date.now() + 3_600_000;

/** Every Authorization-like header the adapter was given, by its exact name. */
const authorizationsOf = (config: AxiosRequestConfig) => {
  const headers = config.headers as { toJSON?: () => Record<string, unknown> } & Record<string, unknown>;
  const flat = typeof headers.toJSON === 'function' ? headers.toJSON() : headers;
  return Object.entries(flat).filter(([name]) => name.trim().toLowerCase() === 'authorization');
};

function setup(tokens: TokenSet, instanceHeaders: Record<string, string> = {}) {
  const api = axios.create({ baseURL: URL, headers: instanceHeaders });
  const seen: Array<Array<[string, unknown]>> = [];
  new MockAdapter(api).onPost().reply((config) => {
    seen.push(authorizationsOf(config));
    return [200, { data: { ok: true } }];
  });
  const auth = attachTokenRefresh(api, { tokens });
  return { api, auth, seen };
}

/** What bare axios sends for `Authorization: value`: the reference for the cleaned value. */
async function bareAxiosSends(value: string): Promise<unknown> {
  const bare = axios.create();
  let sent: unknown;
  new MockAdapter(bare).onPost().reply((config) => ((sent = authorizationsOf(config)[0]?.[1]), [200, {}]));
  await bare.post(URL, QUERY, { headers: { Authorization: value } });
  return sent;
}

describe('the Authorization header a request carries', () => {
  it('replaces a header of another case set on the request or the instance: exactly one goes out, with the token', async () => {
    const { api, seen } = setup({ accessToken: 'tok', expiresAt: later() }, { authorization: 'Basic instance-default' });
    await api.post('', QUERY); // the first request (slow path)
    await api.post('', QUERY); // the fast path
    await api.post('', QUERY, { headers: { AUTHORIZATION: 'Basic per-request' } });
    await api.post('', QUERY, { headers: { ' authorization': 'Basic padded' } });
    expect(seen).toEqual([
      [['Authorization', 'Bearer tok']],
      [['Authorization', 'Bearer tok']],
      [['Authorization', 'Bearer tok']],
      [['Authorization', 'Bearer tok']],
    ]);
  });

  it('carries the token cleaned as axios cleans a header value (control characters, edge spaces)', async () => {
    const accessToken = 'to\u0001k\nen \t';
    const { api, seen } = setup({ accessToken, expiresAt: later() });
    await api.post('', QUERY);
    await api.post('', QUERY);
    const reference = await bareAxiosSends(`Bearer ${accessToken}`);
    // The installed axios (1.21) strips control characters and edge spaces; 1.6 and 0.27 send the value
    // as set (scripts/test-with.sh): either way the request carries what bare axios sends.
    if (!process.env.AXIOS_MODULE) expect(reference).toBe('Bearer token');
    expect(seen).toEqual([[['Authorization', reference]], [['Authorization', reference]]]);
  });

  it('carries the newest token after setTokens, and none after a logout', async () => {
    const { api, auth, seen } = setup({ accessToken: 'first', expiresAt: later() });
    await api.post('', QUERY);
    await api.post('', QUERY);
    await auth.setTokens({ accessToken: 'second', expiresAt: later() });
    await api.post('', QUERY);
    await auth.setTokens({ accessToken: 'first', expiresAt: later() });
    await api.post('', QUERY);
    await auth.setTokens(null); // a logout
    const after = await api.post('', QUERY).then(
      () => 'answered',
      (error: Error) => error.name,
    );
    expect(after).toBe('answered'); // sent without a token: the old one does not ride along
    expect(seen.map((s) => s.map(([, value]) => value))).toEqual([
      ['Bearer first'],
      ['Bearer first'],
      ['Bearer second'],
      ['Bearer first'],
      [],
    ]);
  });
});
