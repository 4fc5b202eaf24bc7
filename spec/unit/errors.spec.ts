import { inspect } from 'node:util';
import {
  GraphQLRequestError,
  isGraphQLRequestError,
  isLoginError,
  isSessionExpiredError,
  isTokenRefreshError,
  LoginError,
  SessionExpiredError,
  TokenRefreshError,
} from '../../lib';

describe('error classes', () => {
  it.each([
    [new SessionExpiredError(), 'SessionExpiredError', 'SESSION_EXPIRED', isSessionExpiredError],
    [new TokenRefreshError('x'), 'TokenRefreshError', 'REFRESH_FAILED', isTokenRefreshError],
    [new LoginError('Invalid credentials'), 'LoginError', 'LOGIN_FAILED', isLoginError],
  ] as const)('%s has its name, code and guard', (error, name, code, guard) => {
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
    expect(guard(error)).toBe(true);
    // An error from another copy of the package: same name and code, different class.
    expect(guard(Object.assign(new Error('copy'), { name, code }))).toBe(true);
    expect(guard(new Error('other'))).toBe(false);
    expect(guard(null)).toBe(false);
    expect(error.toJSON()).toMatchObject({ name, code });
  });

  it.each([
    ['REFRESH_FAILED', true],
    ['REFRESH_MISCONFIGURED', false],
    ['BODY_NOT_REPLAYABLE', false],
    ['STORE_CLOSED', false],
  ] as const)('TokenRefreshError with code %s: transient %s, recognised also from another copy', (code, transient) => {
    const error = new TokenRefreshError('x', { code });
    expect(error).toMatchObject({ code, transient });
    expect(isTokenRefreshError(error)).toBe(true);
    expect(isTokenRefreshError(Object.assign(new Error('copy'), { name: 'TokenRefreshError', code }))).toBe(true);
  });

  it('isTokenRefreshError does not take an unknown code for one of its own', () => {
    expect(isTokenRefreshError(Object.assign(new Error('copy'), { name: 'TokenRefreshError', code: 'SOMETHING_ELSE' }))).toBe(false);
  });

  it('GraphQLRequestError carries errors, partial data and the first code', () => {
    const error = new GraphQLRequestError(
      [
        { message: 'No school', extensions: { code: 'FORBIDDEN' } },
        { message: 'Other', path: ['x'] },
      ],
      { data: { x: null } },
    );
    expect(error.code).toBe('FORBIDDEN');
    expect(error.message).toBe('No school (and 1 more)');
    expect(error.data).toEqual({ x: null });
    expect(isGraphQLRequestError(error)).toBe(true);
    expect(new GraphQLRequestError([{ message: 'm' }]).code).toBe('GRAPHQL_ERROR');
  });

  it('keeps the cause without rendering it into JSON', () => {
    const cause = Object.assign(new Error('inner'), { config: { headers: { Authorization: 'Bearer secret' } } });
    const error = new TokenRefreshError('outer', { cause });
    expect(error.cause).toBe(cause);
    expect(JSON.stringify(error)).not.toContain('secret');
    expect(JSON.stringify(error.toJSON())).toBe(
      '{"name":"TokenRefreshError","code":"REFRESH_FAILED","message":"outer","cause":{"name":"Error","message":"inner"}}',
    );
  });

  it('hides the response from util.inspect', () => {
    const error = new GraphQLRequestError([{ message: 'm' }], { response: { status: 400, data: 'big body' } as never });
    expect(error.response?.status).toBe(400);
    expect(inspect(error)).not.toContain('big body');
  });
});
