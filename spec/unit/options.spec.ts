import axios from 'axios';
import { attachTokenRefresh } from '../../lib';
import { defaultRetryDelay, resolveOptions } from '../../lib/config/options';
import { createNextSchoolClient } from '../../lib/nextschool';

describe('attachTokenRefresh(instance, options): validation', () => {
  it('rejects a non-instance with a clear message', () => {
    expect(() => attachTokenRefresh({} as never)).toThrow('Expected `instance` to be an axios instance, got `object`');
    expect(() => attachTokenRefresh(null as never)).toThrow('got `null`');
  });
  it.each([
    [{ maxReplays: -1 }, 'Expected `maxReplays` to be an integer ≥ 0, got `-1`'],
    [{ refreshTimeoutMs: 0 }, 'Expected `refreshTimeoutMs` to be a finite number > 0 and ≤ 2147483647, got `0`'],
    [{ authErrorCodes: 'UNAUTHENTICATED' }, 'Expected `authErrorCodes` to be an array of strings'],
    [{ refresh: 'nope' }, 'Expected `refresh` to be a function, got `"nope"`'],
    [{ logger: console.log }, 'Expected `logger` to be an object with a `debug` method'],
    [{ retry: { retries: 1.5 } }, 'Expected `retry.retries` to be an integer ≥ 0'],
    [{ rateLimit: { interval: -5 } }, 'Expected `rateLimit.interval` to be a finite number ≥ 0 and ≤ 2147483647, got `-5`'],
    [{ rateLimit: { logins: 5 } }, 'Expected `rateLimit.logins` to be false or an object, got `5`'],
    [
      { rateLimit: { logins: { intervalCap: 0, interval: 1000 } } },
      'Expected `rateLimit.logins.intervalCap` to be an integer ≥ 1, got `0`',
    ],
    [{ rateLimit: { logins: { intervalCap: 5 } } }, 'Expected `rateLimit.logins.interval` to be a finite number > 0'],
    [{ tokens: { accessToken: 42 } }, 'Expected `initial.accessToken` to be a non-empty string, got `number`'],
  ])('rejects %j', (options, message) => {
    expect(() => attachTokenRefresh(axios.create(), options as never)).toThrow(message);
  });
  // Finite numbers, whole where a count is meant, and no duration beyond what a timer can wait
  // (setTimeout runs a longer one at once): docs/configuration.md.
  it.each([
    [
      { refreshTimeoutMs: Number.POSITIVE_INFINITY },
      'Expected `refreshTimeoutMs` to be a finite number > 0 and ≤ 2147483647, got `Infinity`',
    ],
    [{ refreshTimeoutMs: 2 ** 31 }, 'Expected `refreshTimeoutMs` to be a finite number > 0 and ≤ 2147483647, got `2147483648`'],
    [{ refreshTimeoutMs: Number.NaN }, 'Expected `refreshTimeoutMs` to be a finite number > 0 and ≤ 2147483647, got `NaN`'],
    [{ refreshAheadMs: Number.POSITIVE_INFINITY }, 'Expected `refreshAheadMs` to be a finite number ≥ 0 and ≤ 2147483647, got `Infinity`'],
    [
      { maxRateLimitDelayMs: Number.POSITIVE_INFINITY },
      'Expected `maxRateLimitDelayMs` to be a finite number ≥ 0 and ≤ 2147483647, got `Infinity`',
    ],
    [{ maxReplays: Number.POSITIVE_INFINITY }, 'Expected `maxReplays` to be an integer ≥ 0, got `Infinity`'],
    [{ maxRateLimitWaits: 1.5 }, 'Expected `maxRateLimitWaits` to be an integer ≥ 0, got `1.5`'],
    [{ retry: { retries: Number.POSITIVE_INFINITY } }, 'Expected `retry.retries` to be an integer ≥ 0, got `Infinity`'],
    [
      { rateLimit: { interval: Number.POSITIVE_INFINITY } },
      'Expected `rateLimit.interval` to be a finite number ≥ 0 and ≤ 2147483647, got `Infinity`',
    ],
    [{ rateLimit: { concurrency: 1.5 } }, 'Expected `rateLimit.concurrency` to be an integer ≥ 1, or Infinity, got `1.5`'],
    [{ rateLimit: { concurrency: 0 } }, 'Expected `rateLimit.concurrency` to be an integer ≥ 1, or Infinity, got `0`'],
    [{ rateLimit: { intervalCap: Number.NaN } }, 'Expected `rateLimit.intervalCap` to be an integer ≥ 1, or Infinity, got `NaN`'],
    [{ authStatusCodes: [401, 4010] }, 'Expected `authStatusCodes` to be an array of HTTP status codes (100–599), got an array'],
  ])('rejects %p with one TypeError naming the option', (options, message) => {
    expect(() => attachTokenRefresh(axios.create(), options as never)).toThrow(new TypeError(message));
  });
  it('accepts the bounds themselves, and Infinity where a limit may be off', () => {
    expect(() =>
      attachTokenRefresh(axios.create(), {
        refreshTimeoutMs: 2 ** 31 - 1,
        refreshAheadMs: 0,
        maxRateLimitDelayMs: 0,
        rateLimit: { concurrency: Number.POSITIVE_INFINITY, intervalCap: 1, interval: 2 ** 31 - 1 },
      }),
    ).not.toThrow();
  });
  it('createNextSchoolClient validates the same options, and never prints a password', () => {
    expect(() => createNextSchoolClient({ refreshTimeoutMs: Number.POSITIVE_INFINITY, tokens: null })).toThrow(
      new TypeError('Expected `refreshTimeoutMs` to be a finite number > 0 and ≤ 2147483647, got `Infinity`'),
    );
    expect(() => createNextSchoolClient({ username: 'u', password: 12345678 as never })).toThrow(
      new TypeError('Expected `password` to be a string, got `number`'),
    );
  });
  it('never echoes a token in a validation message', () => {
    let message = '';
    try {
      attachTokenRefresh(axios.create(), { tokens: { accessToken: 'secret-token', expiresIn: 'soon' } as never });
    } catch (error) {
      message = String(error);
    }
    expect(message).toMatch(/expiresIn/);
    expect(message).not.toContain('secret-token');
  });
});

describe('resolveOptions', () => {
  it('fills defaults and lets undefined keep them', () => {
    const o = resolveOptions({ maxReplays: undefined, refreshAheadMs: 5 });
    expect(o.maxReplays).toBe(1);
    expect(o.refreshAheadMs).toBe(5);
    expect(o.authErrorCodes).toEqual(['UNAUTHENTICATED']);
    expect(o.authStatusCodes).toEqual([401]);
    expect(o.refreshTimeoutMs).toBe(15_000);
    expect(o.retry).toMatchObject({ retries: 2 });
    expect(o.rateLimit).toBe(false);
  });
});

describe('retry.retryDelay by default (RetryOptions in lib/types.ts)', () => {
  it('waits 100 × 2^retryCount ms plus at most 20% jitter: 200, 400, 800 ms for retries 1, 2, 3', () => {
    for (const [retryCount, base] of [
      [1, 200],
      [2, 400],
      [3, 800],
    ]) {
      for (let i = 0; i < 20; i++) {
        const delay = defaultRetryDelay(retryCount!, undefined);
        expect(delay).toBeGreaterThanOrEqual(base!);
        expect(delay).toBeLessThanOrEqual(base! * 1.2);
      }
    }
  });

  it("never waits less than the answer's Retry-After", () => {
    const error = { isAxiosError: true, response: { status: 503, headers: { 'retry-after': '2' } } };
    expect(defaultRetryDelay(1, error)).toBeGreaterThanOrEqual(2_000);
  });
});
