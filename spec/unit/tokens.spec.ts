import { inspect } from 'node:util';
import { MemoryTokenStore } from '../../lib';
import { normalizeTokens } from '../../lib/session/tokens';

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
    expect(normalizeTokens({ accessToken: 'b' }, 0, { accessToken: 'a', refreshToken: 'r' })).toEqual({ accessToken: 'b', refreshToken: 'r' });
  });
  it('prefers an explicit expiresAt', () => {
    expect(normalizeTokens({ accessToken: 'a', expiresAt: 5_000, expiresIn: 1 }, 1_000)).toEqual({ accessToken: 'a', expiresAt: 5_000, issuedAt: 1_000 });
  });
});
