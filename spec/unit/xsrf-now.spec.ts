import axios, { AxiosError, type AxiosRequestConfig, type InternalAxiosRequestConfig } from 'axios';
import { createPrivateClient, postGraphQL } from '../../lib/transport/private-client';
import { requestTokens } from '../../lib/transport/refresh-mutation';
import { withXsrfNow } from '../../lib/transport/xsrf-now';
import { REDACTED } from '../../lib/util/redact';

// Which refresh and login requests get their XSRF header from the plugin, read at once
// (lib/transport/xsrf-now.ts); spec/browser/refresh-xsrf.browser.ts runs it in Chromium. Here a page
// is stood in for by `document`, `location`, `cookieStore` and `XMLHttpRequest` on globalThis.

const PAGE = 'https://app.example.test';
const API = [`${PAGE}/graphql`];
const globals = globalThis as Record<string, unknown>;
const STUBBED = ['document', 'location', 'cookieStore', 'XMLHttpRequest'];

/** A page at `href` (PAGE by default) whose `document.cookie` reads `cookie` (or throws it, when it is an Error), with the Cookie Store API. */
function inPage(cookie: string | Error, { href = `${PAGE}/app/`, cookieStore = true as boolean | 'throws', xhr = true } = {}): void {
  globals.document = {
    baseURI: href,
    get cookie() {
      if (cookie instanceof Error) throw cookie;
      return cookie;
    },
  };
  globals.location = { href };
  if (xhr) globals.XMLHttpRequest = class {};
  if (cookieStore === 'throws')
    Object.defineProperty(globals, 'cookieStore', {
      configurable: true,
      get() {
        throw new Error('SecurityError');
      },
    });
  else if (cookieStore) globals.cookieStore = { get: async () => null };
}

afterEach(() => {
  for (const name of STUBBED) delete globals[name];
});

/** The refresh's config as postGraphQL builds it from an instance with axios 1.x's defaults. */
const config = (extra: Record<string, unknown> = {}): AxiosRequestConfig =>
  ({
    adapter: ['xhr', 'http', 'fetch'],
    xsrfCookieName: 'XSRF-TOKEN',
    xsrfHeaderName: 'X-XSRF-TOKEN',
    headers: { 'Content-Type': 'application/json' },
    ...extra,
  }) as AxiosRequestConfig;

describe('withXsrfNow: where the plugin reads the XSRF cookie itself', () => {
  it.each<[string, string[], Record<string, unknown>]>([
    ['an absolute URL', API, {}],
    ['a URL relative to the page', ['../graphql'], {}],
    ['the adapter named alone', API, { adapter: 'xhr' }],
  ])('on the page’s origin (%s): the header with the decoded cookie, and no cookie left for axios to read', (_, urls, extra) => {
    inPage('other=1; XSRF-TOKEN=x%20y=z; MY-XSRF-TOKEN=no');
    const next = withXsrfNow(config(extra), urls);
    expect(next.headers).toEqual({ 'Content-Type': 'application/json', 'X-XSRF-TOKEN': 'x y=z' });
    expect(next.xsrfCookieName).toBeNull();
  });

  it('no such cookie (or an empty one): no header, and nothing for axios to read either', () => {
    inPage('MY-XSRF-TOKEN=no; XSRF-TOKEN=');
    const next = withXsrfNow(config(), API);
    expect(next.headers).toEqual({ 'Content-Type': 'application/json' });
    expect(next.xsrfCookieName).toBeNull();
  });

  it('the config given is not changed (its headers included)', () => {
    inPage('XSRF-TOKEN=x');
    const given = config();
    withXsrfNow(given, API);
    expect(given).toEqual(config());
  });

  it('a header set to `false` (axios’ way of never sending it) stays `false`', () => {
    inPage('XSRF-TOKEN=x');
    const next = withXsrfNow(config({ headers: { 'x-xsrf-token': false } }), API);
    expect(next.headers).toEqual({ 'x-xsrf-token': false });
  });
});

describe('withXsrfNow: everything else is left to axios, the config as it is', () => {
  it('outside a page (Node)', () => {
    const given = config();
    expect(withXsrfNow(given, API)).toBe(given);
  });

  it.each([
    ['another origin', {}, ['https://api.example.test/graphql']],
    [
      'one of the URLs axios may join on another origin (allowAbsoluteUrls: false)',
      {},
      ['https://api.example.test/https://app.example.test/graphql', ...API],
    ],
    ['no URL to judge', {}, []],
    ['withXSRFToken: true', { withXSRFToken: true }, API],
    ['withXSRFToken: false', { withXSRFToken: false }, API],
    ['withXSRFToken as a function', { withXSRFToken: () => true }, API],
    ['no cookie name', { xsrfCookieName: undefined }, API],
    ['no header name', { xsrfHeaderName: '' }, API],
    ['the http adapter (a DOM emulated in Node)', { adapter: 'http' }, API],
    ['the fetch adapter (axios reads the cookie at once there)', { adapter: ['fetch', 'xhr'] }, API],
    ['an adapter of your own (a function)', { adapter: async () => ({}) }, API],
    ['axios 0.x’s default (its XHR adapter as a function, which reads the cookie at once)', { adapter: () => undefined }, API],
  ])('%s', (_, extra, urls) => {
    inPage('XSRF-TOKEN=x');
    const given = config(extra);
    expect(withXsrfNow(given, urls)).toBe(given);
  });

  it.each([
    ['a page without the Cookie Store API (axios reads the cookie at once)', 'XSRF-TOKEN=x', { cookieStore: false }],
    ['a blob: page (axios compares protocols: no API is on its origin)', 'XSRF-TOKEN=x', { href: `blob:${PAGE}/0b2f` }],
    ['an about:blank frame', 'XSRF-TOKEN=x', { href: 'about:blank' }],
    ['a page whose cookies cannot be read (a sandboxed frame throws)', new Error('SecurityError'), {}],
    ['no XMLHttpRequest (axios takes the next adapter of its list)', 'XSRF-TOKEN=x', { xhr: false }],
    ['a Cookie Store that refuses to be reached (its getter throws)', 'XSRF-TOKEN=x', { cookieStore: 'throws' as const }],
    ['a cookie that is not valid URI encoding (axios decides what to send)', 'XSRF-TOKEN=50%', {}],
  ])('%s', (_, cookie, page) => {
    inPage(cookie, page);
    const given = config();
    expect(withXsrfNow(given, [`${PAGE}/graphql`])).toBe(given);
  });
});

// axios 0.x takes one adapter function, never a list naming 'xhr': nothing is taken over there (the
// case "axios 0.x’s default" above), and its XHR adapter writes its own XSRF header into the config.
const adapterLists = !axios.VERSION?.startsWith('0.');

describe('the refresh’s errors', () => {
  (adapterLists ? it : it.skip)('carry no XSRF value (as axios 1.x keeps its own out of the config): the placeholder instead', async () => {
    inPage('XSRF-TOKEN=csrf-secret');
    // The XHR adapter first, as in a page; Node's axios has no XHR, so the next one stands in for the network and fails.
    let sentHeaders: unknown;
    const instance = axios.create({
      baseURL: PAGE,
      adapter: [
        'xhr',
        async (c) => {
          sentHeaders = { ...c.headers };
          throw new AxiosError('Network Error', 'ERR_NETWORK', c);
        },
      ],
    });
    const failure = await requestTokens(createPrivateClient(instance), instance, {
      url: '/graphql',
      query: 'mutation Refresh($refreshToken: String!) { refreshToken(refreshToken: $refreshToken) { accessToken } }',
      operationName: 'Refresh',
      variables: { refreshToken: 'rt-secret' },
      field: 'refreshToken',
      signal: new AbortController().signal,
      timeoutMs: 1000,
      what: 'refresh',
    }).then(
      () => Promise.reject(new Error('the refresh should have failed')),
      (error: unknown) => error as Error & { cause: AxiosError },
    );
    expect(sentHeaders).toMatchObject({ 'X-XSRF-TOKEN': 'csrf-secret' }); // the header went out
    expect(failure.cause.config?.headers).toMatchObject({ 'X-XSRF-TOKEN': REDACTED });
    expect(JSON.stringify(failure.cause.config)).not.toContain('csrf-secret');
  });
});

describe('postGraphQL', () => {
  it('posts to the instance’s baseURL of now, also when it was removed after attach (not the one the private client copied)', async () => {
    const sent: InternalAxiosRequestConfig[] = [];
    const instance = axios.create({
      baseURL: 'https://api.other.test/',
      adapter: async (c) => (sent.push(c), { data: '{}', status: 200, statusText: 'OK', headers: {}, config: c }),
    });
    const client = createPrivateClient(instance);
    instance.defaults.baseURL = undefined;
    await postGraphQL(client, instance, {
      url: 'https://app.example.test/graphql',
      body: {},
      signal: new AbortController().signal,
      timeoutMs: 1000,
    });
    await postGraphQL(client, instance, { url: '/graphql', body: {}, signal: new AbortController().signal, timeoutMs: 1000 });
    expect(sent.map((c) => axios.getUri(c))).toEqual(['https://app.example.test/graphql', '/graphql']);
  });
});
