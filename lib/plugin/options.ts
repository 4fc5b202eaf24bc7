import type { InternalAxiosRequestConfig } from 'axios';
import { defaultRetryDelay } from './retry';
import type { RateLimitOptions, RetryOptions, TokenRefreshOptions } from '../types';

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

/** The defaults, in one place (API.md `TokenRefreshOptions`). */
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

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `\`${JSON.stringify(value).slice(0, 40)}\``;
  if (typeof value === 'number' || typeof value === 'boolean') return `\`${String(value)}\``;
  return `\`${typeof value}\``;
}

function expect(ok: boolean, name: string, what: string, value: unknown): void {
  if (!ok) throw new TypeError(`Expected \`${name}\` to be ${what}, got ${describe(value)}`);
}

const isNonNegative = (v: unknown) => typeof v === 'number' && v >= 0 && !Number.isNaN(v);
const isFn = (v: unknown) => typeof v === 'function';

/** Validates user options at attach time (one message shape) and merges them over the defaults. */
export function resolveOptions(options: TokenRefreshOptions | undefined): ResolvedOptions {
  if (options !== undefined) expect(!!options && typeof options === 'object', 'options', 'an object', options);
  const given: Record<string, unknown> = {};
  // `undefined` in user options never wipes a default.
  for (const [key, value] of Object.entries(options ?? {})) if (value !== undefined) given[key] = value;
  const o = { ...DEFAULTS, ...given } as Record<string, unknown>;

  expect(typeof o.url === 'string', 'url', 'a string', o.url);
  expect(Array.isArray(o.authErrorCodes) && (o.authErrorCodes as unknown[]).every((c) => typeof c === 'string'), 'authErrorCodes', 'an array of strings', o.authErrorCodes);
  expect(Array.isArray(o.authStatusCodes) && (o.authStatusCodes as unknown[]).every((c) => Number.isInteger(c)), 'authStatusCodes', 'an array of HTTP status codes', o.authStatusCodes);
  expect(isNonNegative(o.refreshAheadMs), 'refreshAheadMs', 'a number ≥ 0', o.refreshAheadMs);
  expect(isNonNegative(o.refreshTimeoutMs) && (o.refreshTimeoutMs as number) > 0, 'refreshTimeoutMs', 'a number > 0', o.refreshTimeoutMs);
  expect(Number.isInteger(o.maxReplays) && (o.maxReplays as number) >= 0, 'maxReplays', 'an integer ≥ 0', o.maxReplays);
  expect(Number.isInteger(o.maxRateLimitWaits) && (o.maxRateLimitWaits as number) >= 0, 'maxRateLimitWaits', 'an integer ≥ 0', o.maxRateLimitWaits);
  expect(isNonNegative(o.maxRateLimitDelayMs), 'maxRateLimitDelayMs', 'a number ≥ 0', o.maxRateLimitDelayMs);
  expect(typeof o.rotatingRefreshTokens === 'boolean', 'rotatingRefreshTokens', 'a boolean', o.rotatingRefreshTokens);
  for (const fn of ['refresh', 'login', 'isAuthError', 'shouldAttachToken', 'onRefresh', 'onSessionExpired'] as const) {
    if (o[fn] !== undefined) expect(isFn(o[fn]), fn, 'a function', o[fn]);
  }
  if (o.logger !== undefined) expect(!!o.logger && isFn((o.logger as { debug?: unknown }).debug), 'logger', 'an object with a `debug` method', o.logger);

  let retry: false | Required<RetryOptions> = false;
  if (o.retry !== false) {
    expect(!!o.retry && typeof o.retry === 'object', 'retry', 'false or an object', o.retry);
    const retries = (o.retry as RetryOptions).retries ?? DEFAULTS.retry.retries;
    expect(Number.isInteger(retries) && retries >= 0, 'retry.retries', 'an integer ≥ 0', retries);
    const retryDelay = (o.retry as RetryOptions).retryDelay ?? defaultRetryDelay;
    expect(isFn(retryDelay), 'retry.retryDelay', 'a function', retryDelay);
    retry = { retries, retryDelay };
  }

  let rateLimit: false | RateLimitOptions = false;
  if (o.rateLimit !== false) {
    expect(!!o.rateLimit && typeof o.rateLimit === 'object', 'rateLimit', 'false or an object', o.rateLimit);
    const r = o.rateLimit as RateLimitOptions;
    for (const key of ['concurrency', 'intervalCap', 'interval'] as const) {
      if (r[key] !== undefined) expect(isNonNegative(r[key]), `rateLimit.${key}`, 'a number ≥ 0', r[key]);
    }
    rateLimit = r;
  }

  return { ...(o as unknown as ResolvedOptions), retry, rateLimit };
}
