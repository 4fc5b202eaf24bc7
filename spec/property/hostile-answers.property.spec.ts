import axios from 'axios';
import MockAdapter from 'axios-mock-adapter';
import fc from 'fast-check';
import {
  attachTokenRefresh,
  createGraphQLClient,
  isGraphQLRequestError,
  isLoginError,
  isSessionExpiredError,
  isTokenRefreshError,
} from '../../lib';
import { createAuthErrorDetector, rateLimitOf } from '../../lib/policy/detect';

// Hostile answers — non-JSON, HTML, empty, huge, deeply nested, `errors` that is not an array,
// `extensions: null`, `__proto__`/`constructor` keys — for data requests and for the refresh itself.
// Never an uncaught exception, never a polluted prototype, always a typed outcome.

const RUNS = Math.max(200, Math.floor((Number(process.env.PROPERTY_RUNS) || 1_000) / 2));

const nastyKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'errors', 'data', 'extensions', 'code', 'retryAfter', 'path');
const nastyScalar = fc.oneof(
  fc.constantFrom(null, undefined, '', 'UNAUTHENTICATED', 'RATE_LIMITED', 'FORBIDDEN', -1, 1e308, Number.NaN, true),
  fc.string({ maxLength: 20 }),
  fc.integer(),
);
const nastyValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    nastyScalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(nastyKey, fc.string({ maxLength: 6 })), tie('value'), { maxKeys: 4 }),
  ),
})).value;

const errorsShape = fc.oneof(
  nastyValue,
  fc.array(
    fc.record(
      { message: nastyValue, extensions: fc.oneof(fc.constant(null), nastyValue, fc.record({ code: nastyScalar, retryAfter: nastyScalar })), path: nastyValue },
      { requiredKeys: [] },
    ),
    { maxLength: 3 },
  ),
);

const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

/** A body as text, since hostile servers send text: JSON of nasty values, or not JSON at all. */
const body = fc.oneof(
  fc.record({ data: nastyValue, errors: errorsShape }, { requiredKeys: [] }).map((b) => JSON.stringify(b)),
  fc.array(fc.record({ data: nastyValue, errors: errorsShape }, { requiredKeys: [] }), { maxLength: 3 }).map((b) => JSON.stringify(b)),
  nastyValue.map((v) => JSON.stringify(v) ?? ''),
  fc.constantFrom('', '<html><body>502 Bad Gateway</body></html>', '{"errors":', 'null', '[]', '"UNAUTHENTICATED"', deep(5_000), 'x'.repeat(1_000_000)),
  fc.string({ maxLength: 200 }),
  fc.constant('{"__proto__":{"polluted":true},"errors":[{"extensions":{"code":"UNAUTHENTICATED"},"constructor":{"prototype":{"polluted":true}}}]}'),
);

const answer = fc.record({ status: fc.constantFrom(200, 200, 200, 400, 401, 403, 429, 500, 502), body, contentType: fc.constantFrom('application/json', 'text/html', 'text/plain') });

function typed(error: unknown): boolean {
  return axios.isAxiosError(error) || isGraphQLRequestError(error) || isTokenRefreshError(error) || isSessionExpiredError(error) || isLoginError(error);
}

describe('hostile answers', () => {
  const uncaught: unknown[] = [];
  const onUncaught = (e: unknown) => uncaught.push(e);
  beforeAll(() => {
    process.on('uncaughtException', onUncaught);
    process.on('unhandledRejection', onUncaught);
  });
  afterAll(() => {
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
  });

  it('the default detectors never throw and never pollute a prototype', () => {
    const detect = createAuthErrorDetector(['UNAUTHENTICATED'], [401]);
    fc.assert(
      fc.property(answer, ({ status, body: text }) => {
        for (const data of [text, safeParse(text)]) {
          const response = { status, data, headers: { 'retry-after': 'soon' }, config: {} } as never;
          expect(typeof detect(response)).toBe('boolean');
          const limited = rateLimitOf(response);
          if (limited) expect(Number.isFinite(limited.delayMs) && limited.delayMs >= 0).toBe(true);
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  });

  it('the plugin and client always settle with data or a typed error, for data requests and refreshes alike', async () => {
    await fc.assert(
      fc.asyncProperty(answer, answer, async (data, refresh) => {
        const api = axios.create({ baseURL: 'https://api.example.test/' });
        const mock = new MockAdapter(api);
        attachTokenRefresh(api, {
          tokens: { accessToken: 'a', refreshToken: 'r' },
          retry: { retries: 1, retryDelay: () => 0 },
          maxRateLimitDelayMs: 5,
          refreshTimeoutMs: 1_000,
        });
        mock.onPost('').reply((config) => {
          const isRefresh = String(config.data).includes('RefreshToken');
          const a = isRefresh ? refresh : data;
          // Text, as a server sends it: axios' own transformResponse parses what looks like JSON.
          return [a.status, a.body, { 'content-type': a.contentType, 'retry-after': '0' }];
        });
        const client = createGraphQLClient(api);
        const outcome = await client.query('query Q { x }').then(
          (value) => ({ ok: true as const, value }),
          (error) => ({ ok: false as const, error }),
        );
        if (!outcome.ok) expect(typed(outcome.error) ? 'typed' : outcome.error).toBe('typed');
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
      }),
      { numRuns: RUNS },
    );
    expect(uncaught).toEqual([]);
  }, 300_000);
});

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
