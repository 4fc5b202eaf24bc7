import axios from 'axios';
import { attachTokenRefresh } from '../../lib';
import { resolveOptions } from '../../lib/plugin/options';

describe('attachTokenRefresh(instance, options): validation', () => {
  it('rejects a non-instance with a clear message', () => {
    expect(() => attachTokenRefresh({} as never)).toThrow('Expected `instance` to be an axios instance, got `object`');
    expect(() => attachTokenRefresh(null as never)).toThrow('got `null`');
  });
  it.each([
    [{ maxReplays: -1 }, 'Expected `maxReplays` to be an integer ≥ 0, got `-1`'],
    [{ refreshTimeoutMs: 0 }, 'Expected `refreshTimeoutMs` to be a number > 0, got `0`'],
    [{ authErrorCodes: 'UNAUTHENTICATED' }, 'Expected `authErrorCodes` to be an array of strings'],
    [{ refresh: 'nope' }, 'Expected `refresh` to be a function, got `"nope"`'],
    [{ logger: console.log }, 'Expected `logger` to be an object with a `debug` method'],
    [{ retry: { retries: 1.5 } }, 'Expected `retry.retries` to be an integer ≥ 0'],
    [{ rateLimit: { interval: -5 } }, 'Expected `rateLimit.interval` to be a number ≥ 0'],
    [{ tokens: { accessToken: 42 } }, 'Expected `initial.accessToken` to be a non-empty string, got `number`'],
  ])('rejects %j', (options, message) => {
    expect(() => attachTokenRefresh(axios.create(), options as never)).toThrow(message);
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
