import type { AxiosResponse } from 'axios';
import { createAuthErrorDetector, parseBody } from '../../lib/policy/detect';

const detect = createAuthErrorDetector(['UNAUTHENTICATED'], [401]);
const answer = (data: unknown, status = 200) => ({ status, data, headers: {}, config: {} }) as AxiosResponse;
const unauth = { message: 'Authentication required', extensions: { code: 'UNAUTHENTICATED' } };

describe('default isAuthError', () => {
  it('finds UNAUTHENTICATED in an HTTP 200 body', () => {
    expect(detect(answer({ errors: [unauth] }))).toBe(true);
  });
  it('finds it in any entry of errors, not only the first', () => {
    expect(detect(answer({ errors: [{ message: 'x' }, { message: 'y', extensions: null }, unauth] }))).toBe(true);
  });
  it('finds it in a batched (array) answer', () => {
    expect(detect(answer([{ data: { a: 1 } }, { errors: [unauth] }]))).toBe(true);
  });
  it('finds it in 4xx/5xx bodies and in a JSON string body', () => {
    expect(detect(answer({ errors: [unauth] }, 500))).toBe(true);
    expect(detect(answer(JSON.stringify({ errors: [unauth] }), 400))).toBe(true);
  });
  it('detects an HTTP 401 whatever the body', () => {
    expect(detect(answer('<html>nope</html>', 401))).toBe(true);
    expect(detect(undefined, { response: answer(null, 401) })).toBe(true);
  });
  it('does not treat FORBIDDEN, other codes or successes as auth errors', () => {
    expect(detect(answer({ errors: [{ message: 'no school', extensions: { code: 'FORBIDDEN' } }] }))).toBe(false);
    expect(detect(answer({ data: { students: [] } }))).toBe(false);
    expect(detect(answer(null, 403))).toBe(false);
  });
  it.each([
    ['non-JSON text', '<html>UNAUTHENTICATED</html>'],
    ['empty body', ''],
    ['errors not an array', { errors: { code: 'UNAUTHENTICATED' } }],
    ['extensions null', { errors: [{ message: 'x', extensions: null }] }],
    ['code not a string', { errors: [{ extensions: { code: ['UNAUTHENTICATED'] } }] }],
    ['null entries', { errors: [null, 1, 'UNAUTHENTICATED'] }],
    ['deeply nested', JSON.parse('['.repeat(500) + ']'.repeat(500))],
    ['a prototype-polluting key', JSON.parse('{"__proto__":{"errors":[{"extensions":{"code":"UNAUTHENTICATED"}}]}}')],
  ])('never throws and answers false for hostile bodies: %s', (_name, body) => {
    expect(detect(answer(body))).toBe(false);
    expect(({} as Record<string, unknown>).errors).toBeUndefined();
  });
  it('honours custom codes and statuses', () => {
    const custom = createAuthErrorDetector(['TOKEN_EXPIRED'], [419]);
    expect(custom(answer({ errors: [{ extensions: { code: 'TOKEN_EXPIRED' } }] }))).toBe(true);
    expect(custom(answer({ errors: [unauth] }))).toBe(false);
    expect(custom(answer(null, 419))).toBe(true);
    expect(custom(answer(null, 401))).toBe(false);
  });
});

describe('parseBody', () => {
  it('parses JSON text and leaves other values alone', () => {
    expect(parseBody(' {"a":1}')).toEqual({ a: 1 });
    expect(parseBody('nope')).toBeUndefined();
    expect(parseBody('{bad')).toBeUndefined();
    const obj = { a: 1 };
    expect(parseBody(obj)).toBe(obj);
  });
});

describe('rateLimitOf', () => {
  const { rateLimitOf } = jest.requireActual('../../lib/policy/detect');
  it('reads HTTP 429 Retry-After (seconds or date) and RATE_LIMITED retryAfter', () => {
    expect(rateLimitOf({ ...answer('', 429), headers: { 'retry-after': '3' } })).toEqual({ kind: 'http429', delayMs: 3000 });
    const date = new Date(Date.now() + 10_000).toUTCString();
    expect(rateLimitOf({ ...answer('', 429), headers: { 'retry-after': date } }).delayMs).toBeGreaterThan(8000);
    expect(rateLimitOf(answer({ errors: [{ extensions: { code: 'RATE_LIMITED', retryAfter: 30 } }] }))).toEqual({
      kind: 'graphql',
      delayMs: 30_000,
    });
  });
  it('falls back to 1 s and clamps absurd values', () => {
    expect(rateLimitOf(answer('', 429)).delayMs).toBe(1000);
    expect(rateLimitOf(answer({ errors: [{ extensions: { code: 'RATE_LIMITED', retryAfter: 'soon' } }] })).delayMs).toBe(1000);
    expect(rateLimitOf(answer({ errors: [{ extensions: { code: 'RATE_LIMITED', retryAfter: 1e308 } }] })).delayMs).toBe(2 ** 31 - 1);
  });
  it('ignores other answers', () => {
    expect(rateLimitOf(answer({ errors: [unauth] }))).toBeUndefined();
    expect(rateLimitOf(undefined)).toBeUndefined();
  });
});
