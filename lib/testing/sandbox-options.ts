// The public shapes of the sandbox: its options, its counters, the running server.
// Re-exported by `axios-graphql-refresh/testing`; see docs/testing.md.

import { checkMs, checkNumber, expectOption } from '../config/validate';

/**
 * A user of the sandbox. Without a `school`, data queries answer `FORBIDDEN`, as NextSchool does.
 *
 * @example
 * ```ts
 * await startSandboxServer({ users: [{ username: 'svc', password: 's3cret', school: 'โรงเรียนทดสอบ' }, { username: 'lost', password: 'x' }] });
 * ```
 */
export interface SandboxUser {
  username: string;
  password: string;
  school?: string | null;
  /** `login`'s `user.name`. @default the username */
  name?: string;
  /** `login`'s `user.email`. @default `<username>@school.example` */
  email?: string;
}

/**
 * The sandbox's rate limits; each defaults to the documented NextSchool value.
 *
 * @example
 * ```ts
 * await startSandboxServer({ rateLimits: { perUser: 5, windowMs: 1_000 } }); // tight, for backpressure tests
 * ```
 */
export interface SandboxRateLimits {
  /** Requests per window per user (HTTP 200, `RATE_LIMITED`, `extensions.retryAfter`). @default 60 */
  perUser?: number;
  /** Requests per window per IP (HTTP 429, `Retry-After`, `X-RateLimit-*`). @default 100 */
  perIp?: number;
  /** Logins per window per IP (HTTP 200, `RATE_LIMITED`). @default 5 */
  login?: number;
  /** @default 60_000 */
  windowMs?: number;
}

/**
 * Options of {@link startSandboxServer}.
 *
 * @example
 * ```ts
 * const options: SandboxOptions = { accessTtlMs: 2_000, rotateRefreshTokens: true, rateLimits: false, latencyMs: 10 };
 * ```
 */
export interface SandboxOptions {
  /** @default a free port on 127.0.0.1 */
  port?: number;
  /** Access token lifetime. @default 900_000 (15 minutes) */
  accessTtlMs?: number;
  /** Refresh token lifetime. @default 7 days */
  refreshTtlMs?: number;
  /** Issue a new refresh token on every refresh (NextSchool does not). @default false */
  rotateRefreshTokens?: boolean;
  /**
   * With `rotateRefreshTokens`: presenting a refresh token that a rotation already replaced revokes
   * its whole family — the session ends, its newer refresh token and its access tokens stop
   * working — as servers with rotation and reuse detection do (Auth0, Okta, Supabase). Every such
   * presentation is counted in `stats.reusedRefreshTokens`, with or without this option.
   * @default false
   */
  refreshReuseDetection?: boolean;
  /** @default one user with a school, `demo` / `demo-password`, and `noschool` / `noschool-password` without one */
  users?: SandboxUser[];
  /** `false` turns every limit off. @default the documented limits */
  rateLimits?: false | SandboxRateLimits;
  /** Added before every answer. @default 0 */
  latencyMs?: number;
  /**
   * Random faults, as probabilities per request (0–1): an HTTP 500 with a GraphQL body, a reset
   * connection, an HTML 502 page as a proxy would send. For resilience tests and the soak.
   * @default none
   */
  faults?: { http500?: number; reset?: number; html?: number };
  /**
   * Answer CORS, so a web app on another origin can call the sandbox: preflights (`OPTIONS`) get a
   * 204 allowing `POST, GET, OPTIONS` and the requested headers; every other answer (429s, faults
   * and errors included) carries `Access-Control-Allow-Origin` and exposes `Retry-After` and the
   * `X-RateLimit-*` headers. `false` answers preflights with 405, as a server without CORS does.
   * See docs/testing.md#cors.
   * @default true
   */
  cors?: boolean;
}

/**
 * Counters of what the sandbox saw.
 *
 * @example
 * ```ts
 * expect(sandbox.stats.refreshes).toBe(1);
 * ```
 */
export interface SandboxStats {
  requests: number;
  logins: number;
  refreshes: number;
  /** Requests answered with at least one `UNAUTHENTICATED` error. */
  unauthenticated: number;
  /** Requests declined by any rate limit. */
  rateLimited: number;
  /** Requests answered with an injected fault (`faults`). */
  faults: number;
  /** CORS preflights answered (`OPTIONS`); not counted in `requests` nor in any rate limit. */
  preflights: number;
  /** Refreshes that presented a refresh token a rotation had already replaced (spent). */
  reusedRefreshTokens: number;
}

/**
 * A running sandbox.
 *
 * @example
 * ```ts
 * const sandbox: SandboxServer = await startSandboxServer();
 * sandbox.expireAccessTokens();
 * await sandbox.close();
 * ```
 */
export interface SandboxServer {
  /** The GraphQL endpoint, e.g. `http://127.0.0.1:41234/`. */
  url: string;
  /** Credentials of the first user, ready to use. */
  username: string;
  password: string;
  stats: SandboxStats;
  /** Every access token issued so far stops working now. */
  expireAccessTokens(): void;
  /** Every refresh token issued so far stops working now (as if 7 days had passed). */
  revokeRefreshTokens(): void;
  close(): Promise<void>;
}

/**
 * Checks {@link SandboxOptions} with the library's one message shape (``Expected `x` to be …, got
 * `y` ``), before anything starts: an `Infinity` lifetime or latency would otherwise fail much later,
 * or never.
 *
 * @example
 * ```ts
 * checkSandboxOptions({ latencyMs: Infinity }); // TypeError: Expected `latencyMs` to be a finite number ≥ 0 and ≤ 2147483647, got `Infinity`
 * ```
 */
export function checkSandboxOptions(options: SandboxOptions): void {
  expectOption(!!options && typeof options === 'object', 'options', 'an object', options);
  const o = options as Record<string, unknown>;
  if (o.port !== undefined) checkNumber(o.port, 'port', { integer: true, min: 0, max: 65_535 });
  for (const key of ['accessTtlMs', 'refreshTtlMs'] as const) if (o[key] !== undefined) checkNumber(o[key], key, { above: 0 });
  if (o.latencyMs !== undefined) checkMs(o.latencyMs, 'latencyMs');
  for (const key of ['rotateRefreshTokens', 'cors'] as const)
    if (o[key] !== undefined) expectOption(typeof o[key] === 'boolean', key, 'a boolean', o[key]);
  if (o.users !== undefined) {
    const ok =
      Array.isArray(o.users) &&
      o.users.length > 0 &&
      o.users.every((u) => typeof u?.username === 'string' && typeof u?.password === 'string');
    expectOption(ok, 'users', 'a non-empty array of { username, password }', o.users, true);
  }
  if (o.rateLimits !== undefined && o.rateLimits !== false) {
    expectOption(!!o.rateLimits && typeof o.rateLimits === 'object', 'rateLimits', 'false or an object', o.rateLimits);
    const limits = o.rateLimits as Record<string, unknown>;
    for (const key of ['perUser', 'perIp', 'login'] as const) {
      if (limits[key] !== undefined) checkNumber(limits[key], `rateLimits.${key}`, { integer: true, min: 1, orInfinity: true });
    }
    if (limits.windowMs !== undefined) checkMs(limits.windowMs, 'rateLimits.windowMs', true);
  }
  if (o.faults !== undefined) {
    expectOption(!!o.faults && typeof o.faults === 'object', 'faults', 'an object', o.faults);
    for (const [key, p] of Object.entries(o.faults as object)) checkNumber(p, `faults.${key}`, { min: 0, max: 1 });
  }
}
