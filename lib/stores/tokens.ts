import type { TokenInput, TokenSet, TokenStore } from '../types';
import { jwtTimes } from './jwt';

/**
 * Turns what a login/refresh returned into a stored {@link TokenSet}. `expiresIn` counts from
 * `sentAt`, the moment the request was *sent*, so a slow answer never makes a token look younger
 * than it is (docs/configuration.md, "tokens"). With neither `expiresAt` nor `expiresIn`, an access
 * token that is a JWT gives its own: its `exp` claim, and `iat` as the moment it was issued.
 */
export function normalizeTokens(input: TokenInput, sentAt: number, previous?: TokenSet | null): TokenSet {
  const tokens: TokenSet = { accessToken: input.accessToken };
  const refreshToken = input.refreshToken ?? previous?.refreshToken;
  if (refreshToken !== undefined) tokens.refreshToken = refreshToken;
  if (typeof input.expiresAt === 'number' && Number.isFinite(input.expiresAt)) {
    tokens.expiresAt = input.expiresAt;
    tokens.issuedAt = input.issuedAt ?? sentAt;
  } else if (typeof input.expiresIn === 'number' && Number.isFinite(input.expiresIn)) {
    tokens.issuedAt = input.issuedAt ?? sentAt;
    tokens.expiresAt = sentAt + input.expiresIn * 1000;
  } else {
    const jwt = jwtTimes(input.accessToken);
    if (jwt.expiresAt !== undefined) tokens.expiresAt = jwt.expiresAt;
    const issuedAt = input.issuedAt ?? jwt.issuedAt ?? (jwt.expiresAt !== undefined ? sentAt : undefined);
    if (issuedAt !== undefined) tokens.issuedAt = issuedAt;
  }
  return tokens;
}

/** Checks the shape of user-given tokens; throws a TypeError that never echoes the values. */
export function assertTokenInput(value: unknown, label: string): asserts value is TokenInput {
  if (!value || typeof value !== 'object') {
    throw new TypeError(
      `Expected \`${label}\` to be an object with an \`accessToken\` string, got \`${value === null ? 'null' : typeof value}\``,
    );
  }
  const v = value as Record<string, unknown>;
  if (typeof v.accessToken !== 'string' || v.accessToken === '') {
    throw new TypeError(`Expected \`${label}.accessToken\` to be a non-empty string, got \`${typeof v.accessToken}\``);
  }
  if (v.refreshToken !== undefined && typeof v.refreshToken !== 'string') {
    throw new TypeError(`Expected \`${label}.refreshToken\` to be a string, got \`${typeof v.refreshToken}\``);
  }
  for (const key of ['expiresIn', 'expiresAt', 'issuedAt']) {
    if (v[key] !== undefined && (typeof v[key] !== 'number' || !Number.isFinite(v[key] as number))) {
      throw new TypeError(`Expected \`${label}.${key}\` to be a finite number, got \`${String(v[key])}\``);
    }
  }
}

/** A store is anything with `get` and `set` functions. */
export function isTokenStore(value: unknown): value is TokenStore {
  return !!value && typeof (value as TokenStore).get === 'function' && typeof (value as TokenStore).set === 'function';
}

/** The same session state: one definition for the session and every store (lib/stores/same-tokens.ts). */
export { sameTokens } from '../stores/same-tokens';

/** True when the access token is known to have expired. */
export const isExpired = (t: TokenSet) => typeof t.expiresAt === 'number' && Date.now() >= t.expiresAt;
