import http from 'node:http';
import type { LookupFunction } from 'node:net';
import axios, { type AxiosInstance } from 'axios';
import { attachTokenRefresh } from '../../lib';
import { createNextSchoolClient } from '../../lib/nextschool';
import { closeTestServers, startTestServer, type TestServer } from '../support/graphql-server';
import { LOOPBACK, reported, shapes } from '../support/url-shapes';

// Tokens go only to the API's own origin (docs/configuration.md#where-the-token-goes), judged
// as the transport resolves the URL: axios joins `baseURL` and `url` (buildFullPath), then the
// adapter parses the result — WHATWG's URL parser (axios 1 http adapter, fetch) or Node's legacy
// `url.parse` (axios 0.27). Each parser forgives different things (leading whitespace, a tab inside
// the scheme, backslashes for slashes); whatever shape a URL has, the token must never reach a
// second server. Runs on the axios under test (`scripts/test-with.sh axios 0.27.2 AXIOS_MODULE`).

/** Only the numeric spellings of 127.0.0.1 resolve (nothing leaves the machine). */
const lookup: LookupFunction = (hostname, options, callback) => {
  const cb = callback as unknown as (
    error: Error | null,
    address: string | Array<{ address: string; family: number }>,
    family?: number,
  ) => void;
  if (!LOOPBACK.includes(hostname))
    return cb(Object.assign(new Error(`lookup refused: ${JSON.stringify(hostname)}`), { code: 'ENOTFOUND' }), '', 4);
  if ((options as { all?: boolean }).all) return cb(null, [{ address: '127.0.0.1', family: 4 }]);
  return cb(null, '127.0.0.1', 4);
};

const isFetchCapable =
  typeof (axios as { VERSION?: string }).VERSION === 'string' && !(axios as { VERSION: string }).VERSION.startsWith('0.');
const adapters: Array<[string, Record<string, unknown>]> = [
  ['the http adapter', { httpAgent: new http.Agent({ lookup } as http.AgentOptions) }],
  ...(isFetchCapable ? ([['the fetch adapter', { adapter: 'fetch' }]] as Array<[string, Record<string, unknown>]>) : []),
];

async function sendAll(api: AxiosInstance, urls: string[], extra: Record<string, unknown> = {}): Promise<void> {
  // A few at a time: the point is where each goes, not load.
  for (let i = 0; i < urls.length; i += 16) {
    await Promise.all(urls.slice(i, i + 16).map((url) => api.get(url, { timeout: 2_000, ...extra }).catch(() => undefined)));
  }
}

let api: TestServer;
let other: TestServer;
// Both origins answer anything with `{ data: { ok: true } }`: where a request goes is the point.
const answer = () => ({ status: 200, body: { data: { ok: true } } });
beforeEach(async () => {
  [api, other] = await Promise.all([startTestServer({ answer }), startTestServer({ answer })]);
});
afterEach(closeTestServers);

const TOKENS = { accessToken: 'access-token-sent-only-to-the-api', refreshToken: 'refresh-token-sent-only-to-the-api', expiresIn: 3600 };
// Where a request goes is the point, not whether a failed one is tried again.
const OPTIONS = { tokens: TOKENS, retry: false } as const;
// Userinfo in a URL makes axios send `Authorization: Basic …` of its own: only our token counts.
const tokenArrivals = (r: TestServer) => r.received.filter((x) => x.authorization?.includes(TOKENS.accessToken));

describe.each(adapters)('attachTokenRefresh(instance) on %s: no token to another origin, whatever the URL shape', (_, transport) => {
  it('an instance without baseURL whose endpoint is an absolute `url`: the reported shapes reach the other server without a token', async () => {
    const instance = axios.create({ ...transport });
    attachTokenRefresh(instance, { url: `${api.origin}/graphql`, ...OPTIONS });

    await sendAll(instance, reported(other.port));
    await instance.get(`${api.origin}/graphql`);

    // Not vacuous: the transport did take (some of) these shapes to the other server, and the API still gets its token.
    expect(other.received.length).toBeGreaterThan(0);
    expect(tokenArrivals(other)).toEqual([]);
    expect(api.received.at(-1)?.authorization).toBe(`Bearer ${TOKENS.accessToken}`);
  });

  it.each([
    [
      'without baseURL, endpoint an absolute `url`',
      () => axios.create(),
      (i: AxiosInstance) => attachTokenRefresh(i, { url: `${api.origin}/graphql`, ...OPTIONS }),
    ],
    [
      'with the API as baseURL',
      () => axios.create({ baseURL: `${api.origin}/` }),
      (i: AxiosInstance) => attachTokenRefresh(i, { ...OPTIONS }),
    ],
    [
      'the NextSchool preset (one fixed origin) on an instance without baseURL',
      () => axios.create(),
      (i: AxiosInstance) => createNextSchoolClient({ axios: i, url: `${api.origin}/graphql`, ...OPTIONS }),
    ],
  ])('%s: 300 generated shapes never carry the token to the other server', async (_name, make, attach) => {
    const instance = make();
    Object.assign(instance.defaults, transport);
    attach(instance);

    await sendAll(instance, [...shapes(other.port, api.port, 250, 18), ...shapes(api.port, other.port, 50, 81)]);
    await instance.get(`${api.origin}/graphql`);

    expect(other.received.length).toBeGreaterThan(0);
    expect(tokenArrivals(other).map((r) => r.url)).toEqual([]);
    expect(api.received.at(-1)?.authorization).toBe(`Bearer ${TOKENS.accessToken}`);
  });

  it('a per-request baseURL of another origin with `allowAbsoluteUrls: false` gets no token for an absolute API url', async () => {
    const instance = axios.create({ ...transport });
    attachTokenRefresh(instance, { url: `${api.origin}/graphql`, ...OPTIONS });

    await instance.get(`${api.origin}/graphql`, { baseURL: other.origin, allowAbsoluteUrls: false } as never).catch(() => undefined);

    // axios ≥ 1.8 joins the two (the request goes to the other server); older versions ignore the option.
    expect(other.received.length + api.received.length).toBe(1);
    expect(tokenArrivals(other)).toEqual([]);
  });
});
