import { inspect } from 'node:util';
import { MemoryTokenStore } from '../../lib';
import { normalizeTokens } from '../../lib/stores/tokens';

describe('MemoryTokenStore', () => {
  it('stores copies and converts expiresIn', () => {
    const store = new MemoryTokenStore({ accessToken: 'a', refreshToken: 'r', expiresIn: 60 });
    const tokens = store.get()!;
    expect(tokens.expiresAt! - tokens.issuedAt!).toBe(60_000);
    tokens.accessToken = 'changed';
    expect(store.get()!.accessToken).toBe('a');
    store.set(null);
    expect(store.get()).toBeNull();
  });
  it('never prints its tokens', () => {
    const store = new MemoryTokenStore({ accessToken: 'secret-access', refreshToken: 'secret-refresh' });
    expect(inspect(store)).not.toContain('secret');
    expect(JSON.stringify(store)).not.toContain('secret');
    expect(JSON.stringify({ store })).toBe('{"store":{"tokens":"[redacted]"}}');
  });
});

describe('normalizeTokens', () => {
  it('counts expiresIn from when the request was sent', () => {
    expect(normalizeTokens({ accessToken: 'a', expiresIn: 900 }, 1_000)).toEqual({ accessToken: 'a', issuedAt: 1_000, expiresAt: 901_000 });
  });
  it('keeps the previous refresh token when none is returned', () => {
    expect(normalizeTokens({ accessToken: 'b' }, 0, { accessToken: 'a', refreshToken: 'r' })).toEqual({
      accessToken: 'b',
      refreshToken: 'r',
    });
  });
  it('prefers an explicit expiresAt', () => {
    expect(normalizeTokens({ accessToken: 'a', expiresAt: 5_000, expiresIn: 1 }, 1_000)).toEqual({
      accessToken: 'a',
      expiresAt: 5_000,
      issuedAt: 1_000,
    });
  });
});

describe('normalizeTokens(input) with a JWT access token and no expiresIn/expiresAt', () => {
  const b64url = (text: string) => Buffer.from(text).toString('base64url');
  const HEADER = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const jwt = (payload: unknown, header = HEADER) =>
    `${header}.${b64url(typeof payload === 'string' ? payload : JSON.stringify(payload))}.sig`;
  const times = (accessToken: string) => {
    const { expiresAt, issuedAt } = normalizeTokens({ accessToken }, 1_000);
    return { expiresAt, issuedAt };
  };

  it('takes `exp` as the expiry and `iat` as the issue time (seconds to ms)', () => {
    expect(times(jwt({ sub: 'u', iat: 1_700_000_000, exp: 1_700_000_900 }))).toEqual({
      expiresAt: 1_700_000_900_000,
      issuedAt: 1_700_000_000_000,
    });
  });
  it('counts the issue time from when the request was sent when `iat` is missing or after `exp`', () => {
    expect(times(jwt({ exp: 1_700_000_900 }))).toEqual({ expiresAt: 1_700_000_900_000, issuedAt: 1_000 });
    expect(times(jwt({ exp: 1_700_000_900, iat: 1_800_000_000 }))).toEqual({ expiresAt: 1_700_000_900_000, issuedAt: 1_000 });
  });
  it('reads a payload with non-ASCII text and one with base64 padding', () => {
    expect(times(jwt({ name: 'เด็กชายสมชาย', exp: 1_700_000_900 })).expiresAt).toBe(1_700_000_900_000);
    const padded = `${HEADER}.${Buffer.from(JSON.stringify({ exp: 1_700_000_900, x: 'ab' }))
      .toString('base64')
      .replace(/\+/g, '-')
      .replace(/\//g, '_')}.sig`;
    expect(times(padded).expiresAt).toBe(1_700_000_900_000);
  });
  it.each([
    ['an opaque token', 'at-1-0123456789abcdef'],
    ['three parts that are not base64url JSON', 'abc.def.ghi'],
    ['a payload that is not JSON', jwt('not json')],
    ['a payload that is a JSON array', jwt([1, 2])],
    ['a header without alg', jwt({ exp: 1_700_000_900 }, b64url('{"typ":"JWT"}'))],
    ['an `exp` that is a string', jwt({ exp: '1700000900' })],
    ['a negative `exp`', jwt({ exp: -5 })],
    ['an `exp` in milliseconds (past the year 10000 in seconds)', jwt({ exp: 1_700_000_900_000_000 })],
    ['no `exp`', jwt({ iat: 1_700_000_000 })],
    ['four parts', `${jwt({ exp: 1_700_000_900 })}.more`],
    ['a payload over 8 KB', jwt({ exp: 1_700_000_900, pad: 'x'.repeat(10_000) })],
  ])('gives no expiry for %s', (_, accessToken) => {
    expect(times(accessToken)).toEqual({ expiresAt: undefined, issuedAt: undefined });
  });
  it('keeps an explicit issuedAt', () => {
    expect(normalizeTokens({ accessToken: jwt({ iat: 1_700_000_000, exp: 1_700_000_900 }), issuedAt: 5 }, 1_000).issuedAt).toBe(5);
  });
});
