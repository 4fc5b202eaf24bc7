import { parse } from 'node:url';
import type { AxiosInstance, InternalAxiosRequestConfig } from 'axios';
import { createFixedOriginPolicy, createOriginPolicy, fullUrlsOf } from '../../lib/policy/origin';
import { plain, shapes } from '../support/url-shapes';

// The origin policies judge a URL as the transport resolves it (lib/policy/origin.ts). Here each
// verdict "attach the token" is checked against both parsers axios' adapters use: WHATWG's URL
// (axios 1, fetch, XHR in a page) and Node's legacy url.parse (axios 0.27). The real transports
// are exercised in spec/integration/origin-shapes.spec.ts.

const API = 'http://127.0.0.1:4000';
const PAGE = 'http://page.test';

const instance = (baseURL?: string) => ({ defaults: { baseURL } }) as unknown as AxiosInstance;
const config = (c: Record<string, unknown>) => c as unknown as InternalAxiosRequestConfig;

/** Where WHATWG sends `full` from a page at PAGE (a relative URL stays on the page). */
function whatwg(full: string): string | undefined {
  try {
    return new URL(full, `${PAGE}/app/`).origin;
  } catch {
    return undefined;
  }
}

/** Where Node's url.parse (axios 0.27) sends `full`: no host means the local machine, never another origin. */
function legacy(full: string): string | undefined {
  const parsed = parse(full);
  if (!parsed.host) return 'local';
  try {
    return new URL(`${parsed.protocol ?? 'http:'}//${parsed.host}`).origin;
  } catch {
    return undefined;
  }
}

describe('createOriginPolicy(instance, url)', () => {
  it.each([
    ['a path under the baseURL', API, { url: '/graphql' }, true],
    ['the API origin spelled in capitals', undefined, { url: 'HTTP://127.0.0.1:4000/graphql' }, true],
    ['another port', undefined, { url: 'http://127.0.0.1:4001/graphql' }, false],
    ['a leading space (WHATWG drops it)', undefined, { url: ' http://127.0.0.1:4001/x' }, false],
    ['a leading newline', undefined, { url: '\nhttp://127.0.0.1:4001/x' }, false],
    ['a tab inside the scheme', undefined, { url: 'ht\ttp://127.0.0.1:4001/x' }, false],
    ['a no-break space (url.parse trims it)', undefined, { url: '\u00a0http://127.0.0.1:4001/x' }, false],
    ['backslashes for slashes', undefined, { url: 'http:\\\\127.0.0.1:4001/x' }, false],
    ['a protocol-relative URL', undefined, { url: '//127.0.0.1:4001/x' }, false],
    ['a relative path that a page resolves to another host', undefined, { url: '/\\127.0.0.1:4001/x' }, false],
    ['a tab after a leading slash (WHATWG reads //)', undefined, { url: '/\t/127.0.0.1:4001/x' }, false],
    ['a relative path (the page origin)', undefined, { url: '/graphql' }, true],
    ['a tab inside a relative path', undefined, { url: 'graphql/a\tb' }, true],
    ['userinfo naming the API before another host', undefined, { url: 'http://127.0.0.1:4000@127.0.0.1:4001/x' }, false],
    [
      'a per-request baseURL of another origin with allowAbsoluteUrls: false',
      undefined,
      { baseURL: 'http://127.0.0.1:4001', url: `${API}/graphql`, allowAbsoluteUrls: false },
      false,
    ],
    ['a URL object (not judged)', undefined, { url: new URL(`${API}/graphql`) }, false],
  ])('%s', (_, baseURL, request, expected) => {
    const policy = createOriginPolicy(instance(baseURL), `${API}/graphql`);
    expect(policy(config({ baseURL, ...request }))).toBe(expected);
  });

  it('accepts IPv6 and internationalised hosts of the API', () => {
    expect(createOriginPolicy(instance(), 'http://[::1]:4000/graphql')(config({ url: 'http://[::1]:4000/x' }))).toBe(true);
    expect(createOriginPolicy(instance(), 'https://bücher.example/graphql')(config({ url: 'https://BÜCHER.example/x' }))).toBe(true);
  });

  it('never attaches to a URL that WHATWG or url.parse sends to another origin (5,000 generated shapes)', () => {
    const policy = createOriginPolicy(instance(), `${API}/graphql`);
    let attached = 0;
    for (const url of [...shapes(4001, 4000, 4_000, 7), ...shapes(4000, 4001, 1_000, 8)]) {
      if (!policy(config({ url }))) continue;
      attached++;
      for (const full of fullUrlsOf({ url })!) {
        expect({ url, whatwg: whatwg(full) }).toEqual({
          url,
          whatwg: expect.stringMatching(/^(http:\/\/127\.0\.0\.1:4000|http:\/\/page\.test)$/),
        });
        expect({ url, legacy: legacy(full) }).toEqual({ url, legacy: expect.stringMatching(/^(http:\/\/127\.0\.0\.1:4000|local)$/) });
        // Both parsers agree: the API for both, or the page (WHATWG) and the local machine (url.parse).
        expect({ url, same: whatwg(full) === API }).toEqual({ url, same: legacy(full) === API });
      }
    }
    expect(attached).toBeGreaterThan(0);
  });

  it('keeps the token for plain spellings of the API origin', () => {
    const policy = createOriginPolicy(instance(), `${API}/graphql`);
    expect(plain(4000).filter((url) => !policy(config({ url })))).toEqual([]);
  });
});

describe('createFixedOriginPolicy(url)', () => {
  it('attaches to that origin only, judged by both parsers (5,000 generated shapes)', () => {
    const policy = createFixedOriginPolicy(`${API}/graphql`);
    for (const url of [...shapes(4001, 4000, 4_000, 9), ...shapes(4000, 4001, 1_000, 10), ...plain(4000)]) {
      if (!policy(config({ url }))) continue;
      expect({ url, whatwg: whatwg(url), legacy: legacy(url) }).toEqual({ url, whatwg: API, legacy: API });
    }
    expect(plain(4000).filter((url) => !policy(config({ url })))).toEqual([]);
  });

  it('never attaches to a relative URL or one it cannot read', () => {
    const policy = createFixedOriginPolicy(`${API}/graphql`);
    expect(policy(config({ url: '/graphql' }))).toBe(false);
    expect(policy(config({ url: ` ${API}/graphql` }))).toBe(false);
    expect(policy(config({ baseURL: `${API}/`, url: 'graphql' }))).toBe(true);
  });
});
