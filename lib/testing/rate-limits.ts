import { createRateLimiter } from './rate-limiter';
import type { SandboxRateLimits } from './sandbox-options';

// The three documented NextSchool limit layers and the answer each gives when exceeded
// (docs/nextschool.md#rate-limits): per IP → HTTP 429 with headers; per user and logins → HTTP 200
// with a `RATE_LIMITED` GraphQL error carrying `retryAfter`.

/** A GraphQL error body of the kind NextSchool answers when a limit is exceeded. */
export interface LimitError {
  message: string;
  extensions: { code: 'RATE_LIMITED'; retryAfter: number };
}

export type SandboxLimits = ReturnType<typeof createSandboxLimits>;

/** `undefined` when rate limits are off (`rateLimits: false`). */
export function createSandboxLimits(option: false | SandboxRateLimits | undefined) {
  if (option === false) return undefined;
  const limits = { perUser: 60, perIp: 100, login: 5, windowMs: 60_000, ...(option ?? {}) };
  const perIp = createRateLimiter(limits.perIp, limits.windowMs);
  const perUser = createRateLimiter(limits.perUser, limits.windowMs);
  const perLogin = createRateLimiter(limits.login, limits.windowMs);
  return {
    /** Counts a request from `ip`; sets the `X-RateLimit-*` headers and, over the limit, `Retry-After`. */
    ip(ip: string, headers: Record<string, string>): { allowed: boolean } {
      const verdict = perIp.hit(ip);
      headers['x-ratelimit-limit'] = String(limits.perIp);
      headers['x-ratelimit-remaining'] = String(verdict.remaining);
      headers['x-ratelimit-reset'] = String(Math.ceil(verdict.resetAt / 1000));
      if (!verdict.allowed) headers['retry-after'] = String(verdict.retryAfter);
      return { allowed: verdict.allowed };
    },
    /** Counts a request by an authenticated user; over the limit, the error to answer. */
    user(userKey: string): LimitError | undefined {
      const verdict = perUser.hit(userKey);
      if (verdict.allowed) return undefined;
      return { message: 'Too many requests. Please slow down.', extensions: { code: 'RATE_LIMITED', retryAfter: verdict.retryAfter } };
    },
    /** Counts a login attempt from `ip`; over the limit, the error to answer. */
    login(ip: string): LimitError | undefined {
      const verdict = perLogin.hit(ip);
      if (verdict.allowed) return undefined;
      return {
        message: 'Too many login attempts. Please try again later.',
        extensions: { code: 'RATE_LIMITED', retryAfter: verdict.retryAfter },
      };
    },
  };
}
