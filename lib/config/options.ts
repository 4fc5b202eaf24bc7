import type { AxiosError, InternalAxiosRequestConfig } from 'axios';
import { exponentialDelay } from 'axios-retry';
import type { RateLimitOptions, RetryOptions, TokenRefreshOptions } from '../types';
import { checkMs, checkNumber, expectOption as expect } from './validate';

/** The options with every default filled in (`tokens`, `refresh`, `login` and hooks stay optional). */
export type ResolvedOptions = Required<
  Pick<
    TokenRefreshOptions,
    | 'url'
    | 'authErrorCodes'
    | 'authStatusCodes'
    | 'refreshAheadMs'
    | 'refreshTimeoutMs'
    | 'maxReplays'
    | 'maxRateLimitWaits'
    | 'maxRateLimitDelayMs'
    | 'rotatingRefreshTokens'
  >
> &
  Omit<TokenRefreshOptions, keyof typeof DEFAULTS> & {
    retry: false | Required<RetryOptions>;
    rateLimit: false | RateLimitOptions;
    shouldAttachToken?: (config: InternalAxiosRequestConfig) => boolean;
  };

/** The defaults, in one place; each is the `@default` of its field of `TokenRefreshOptions` (lib/types.ts). */
export const DEFAULTS = {
  url: '',
  authErrorCodes: ['UNAUTHENTICATED'],
  authStatusCodes: [401],
  refreshAheadMs: 60_000,
  refreshTimeoutMs: 15_000,
  maxReplays: 1,
  maxRateLimitWaits: 3,
  maxRateLimitDelayMs: 60_000,
  rotatingRefreshTokens: false,
  retry: { retries: 2 },
  rateLimit: false,
} as const;

const isFn = (v: unknown) => typeof v === 'function';
const isStatus = (c: unknown) => Number.isInteger(c) && (c as number) >= 100 && (c as number) <= 599;

/** Validates user options at attach time (one message shape) and merges them over the defaults. */
export function resolveOptions(options: TokenRefreshOptions | undefined): ResolvedOptions {
  if (options !== undefined) expect(!!options && typeof options === 'object', 'options', 'an object', options);
  const given: Record<string, unknown> = {};
  // `undefined` in user options never wipes a default.
  for (const [key, value] of Object.entries(options ?? {})) if (value !== undefined) given[key] = value;
  const o = { ...DEFAULTS, ...given } as Record<string, unknown>;

  expect(typeof o.url === 'string', 'url', 'a string', o.url);
  expect(
    Array.isArray(o.authErrorCodes) && (o.authErrorCodes as unknown[]).every((c) => typeof c === 'string'),
    'authErrorCodes',
    'an array of strings',
    o.authErrorCodes,
  );
  expect(
    Array.isArray(o.authStatusCodes) && (o.authStatusCodes as unknown[]).every(isStatus),
    'authStatusCodes',
    'an array of HTTP status codes (100–599)',
    o.authStatusCodes,
  );
  // Durations are bounded by the longest timer: setTimeout runs a longer one at once (util/validate.ts).
  checkMs(o.refreshAheadMs, 'refreshAheadMs');
  checkMs(o.refreshTimeoutMs, 'refreshTimeoutMs', true);
  checkNumber(o.maxReplays, 'maxReplays', { integer: true, min: 0 });
  checkNumber(o.maxRateLimitWaits, 'maxRateLimitWaits', { integer: true, min: 0 });
  checkMs(o.maxRateLimitDelayMs, 'maxRateLimitDelayMs');
  expect(typeof o.rotatingRefreshTokens === 'boolean', 'rotatingRefreshTokens', 'a boolean', o.rotatingRefreshTokens);
  for (const fn of ['refresh', 'login', 'isAuthError', 'shouldAttachToken', 'onRefresh', 'onSessionExpired'] as const) {
    if (o[fn] !== undefined) expect(isFn(o[fn]), fn, 'a function', o[fn]);
  }
  if (o.logger !== undefined)
    expect(!!o.logger && isFn((o.logger as { debug?: unknown }).debug), 'logger', 'an object with a `debug` method', o.logger);

  let retry: false | Required<RetryOptions> = false;
  if (o.retry !== false) {
    expect(!!o.retry && typeof o.retry === 'object', 'retry', 'false or an object', o.retry);
    const retries = checkNumber((o.retry as RetryOptions).retries ?? DEFAULTS.retry.retries, 'retry.retries', { integer: true, min: 0 });
    const retryDelay = (o.retry as RetryOptions).retryDelay ?? defaultRetryDelay;
    expect(isFn(retryDelay), 'retry.retryDelay', 'a function', retryDelay);
    retry = { retries, retryDelay };
  }

  let rateLimit: false | RateLimitOptions = false;
  if (o.rateLimit !== false) {
    expect(!!o.rateLimit && typeof o.rateLimit === 'object', 'rateLimit', 'false or an object', o.rateLimit);
    const r = o.rateLimit as RateLimitOptions;
    // p-queue's rules for its option names: counts are whole and at least 1 (Infinity: no limit).
    for (const key of ['concurrency', 'intervalCap'] as const) {
      if (r[key] !== undefined) checkNumber(r[key], `rateLimit.${key}`, { integer: true, min: 1, orInfinity: true });
    }
    if (r.interval !== undefined) checkMs(r.interval, 'rateLimit.interval');
    if (r.logins !== undefined && r.logins !== false) {
      expect(!!r.logins && typeof r.logins === 'object', 'rateLimit.logins', 'false or an object', r.logins);
      checkNumber(r.logins.intervalCap, 'rateLimit.logins.intervalCap', { integer: true, min: 1 });
      checkMs(r.logins.interval, 'rateLimit.logins.interval', true);
    }
    rateLimit = r;
  }

  return { ...(o as unknown as ResolvedOptions), retry, rateLimit };
}

/**
 * axios-retry's `exponentialDelay`: about 200 ms, 400 ms, 800 ms … with up to 20% jitter, at least
 * the server's `Retry-After`. Only an axios error's answer is read (a refresh may fail otherwise).
 */
export function defaultRetryDelay(retryCount: number, error: unknown): number {
  const e = error as AxiosError | undefined;
  return exponentialDelay(retryCount, e?.isAxiosError && e.response?.headers ? e : undefined);
}
