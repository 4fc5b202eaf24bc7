// An access token that is a JWT carries its own expiry (`exp`) and issue time (`iat`), in seconds
// (RFC 7519). They are read, never verified: they only tell the plugin when to refresh ahead
// (docs/configuration.md, "tokens"); the server still decides whether a token is good. Anything that
// is not a well-formed JWT with sensible numbers gives no expiry at all. `atob`, not `Buffer`: the
// same code runs in browsers (and `atob` is global in Node ≥ 16).

/** Larger payloads are not read: a token is not a document. */
const MAX_SEGMENT = 8_192;
const SEGMENT = /^[A-Za-z0-9_-]+={0,2}$/;
/** The year 10000, in seconds: a larger number is not a date in seconds. */
const MAX_SECONDS = 253_402_300_800;

/** What a JWT says of its own lifetime, in epoch ms; empty for anything else. */
export interface JwtTimes {
  expiresAt?: number;
  issuedAt?: number;
}

function decodeSegment(segment: string | undefined): unknown {
  if (!segment || segment.length > MAX_SEGMENT || !SEGMENT.test(segment) || typeof atob !== 'function') return undefined;
  try {
    // atob decodes base64 without its padding (WHATWG "forgiving" base64). Latin-1 text of the UTF-8
    // bytes: still valid JSON, and the numbers read the same.
    const value: unknown = JSON.parse(atob(segment.replace(/-/g, '+').replace(/_/g, '/')));
    return value && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

const isSeconds = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value > 0 && value < MAX_SECONDS;

/**
 * The `exp` (and, when it is not after `exp`, the `iat`) of a JWT access token, in epoch ms. A token
 * with three dot-separated parts whose header names an `alg` and whose payload holds a numeric `exp`
 * is a JWT; anything else gives `{}`.
 */
export function jwtTimes(token: string): JwtTimes {
  const parts = token.split('.', 4);
  if (parts.length !== 3) return {};
  const header = decodeSegment(parts[0]) as { alg?: unknown } | undefined;
  if (typeof header?.alg !== 'string') return {};
  const claims = decodeSegment(parts[1]) as { exp?: unknown; iat?: unknown } | undefined;
  if (!isSeconds(claims?.exp)) return {};
  const times: JwtTimes = { expiresAt: claims.exp * 1000 };
  if (isSeconds(claims.iat) && claims.iat <= claims.exp) times.issuedAt = claims.iat * 1000;
  return times;
}
