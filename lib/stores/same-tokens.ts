import type { TokenSet } from '../types';

/**
 * The protocol's notion of "the same tokens": the same access token and the same refresh token
 * (expiry and the rest are not part of the identity). `null` and `undefined` are both "no tokens",
 * and a missing refresh token equals another missing one, whether absent, `undefined` or `null`.
 * Every store and the session compare with this one function, so they never disagree on whether a
 * conditional write may go ahead.
 */
export function sameTokens(a: TokenSet | null | undefined, b: TokenSet | null | undefined): boolean {
  if (!a || !b) return !a === !b;
  return a.accessToken === b.accessToken && (a.refreshToken ?? null) === (b.refreshToken ?? null);
}
