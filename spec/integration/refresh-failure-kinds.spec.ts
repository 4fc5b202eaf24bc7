import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import axios from 'axios';
import { attachTokenRefresh, createGraphQLClient, gql, isSessionExpiredError, isTokenRefreshError, TokenRefreshError } from '../../lib';
import { DIAGNOSTICS_CHANNELS } from '../../lib/diagnostics';
import { axiosError } from '../support/axios-errors';
import { closeTestServers, startTestServer, type TestServer } from '../support/graphql-server';

// A refresh failure is transient (keep the tokens, try again), permanent (keep the tokens, do not
// try again: fix the cause) or the server's verdict (the session ends). docs/errors.md, "transient
// or permanent".

const STUDENTS = gql`query Students { students { id } }`;
const TOKENS = { accessToken: 'access-token-0123456789', refreshToken: 'refresh-token-0123456789' };

let server: TestServer;
beforeEach(async () => {
  // Every data request is unauthenticated: each one asks for a refresh.
  server = await startTestServer({
    answer: ({ operationName }) =>
      operationName === 'RefreshToken'
        ? { status: 200, body: { data: null, errors: [{ message: 'Invalid refresh token', extensions: { code: 'UNAUTHENTICATED' } }] } }
        : { status: 200, body: { errors: [{ message: 'expired', extensions: { code: 'UNAUTHENTICATED' } }] } },
  });
});
afterEach(closeTestServers);

function attach(options: Parameters<typeof attachTokenRefresh>[1] = {}) {
  const api = axios.create({ baseURL: `${server.origin}/graphql` });
  const onSessionExpired = jest.fn();
  const auth = attachTokenRefresh(api, { tokens: TOKENS, onSessionExpired, retry: { retries: 2, retryDelay: () => 0 }, ...options });
  return { api, auth, onSessionExpired, client: createGraphQLClient(api) };
}

describe('attachTokenRefresh(instance, { refresh }): permanent failures', () => {
  it('a TokenRefreshError that is not transient is thrown once, not retried, and keeps the tokens and the session', async () => {
    let calls = 0;
    const { client, auth, onSessionExpired } = attach({
      refresh: async () => {
        calls++;
        throw new TokenRefreshError('The token store is closed', { code: 'STORE_CLOSED' });
      },
    });

    const error = await client.query(STUDENTS).catch((e: unknown) => e);

    expect(calls).toBe(1);
    expect(isTokenRefreshError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'STORE_CLOSED', transient: false });
    expect(onSessionExpired).not.toHaveBeenCalled();
    expect(await auth.getTokens()).toMatchObject(TOKENS);
  });

  it('an axios error no retry can fix (ENOTFOUND) becomes a permanent TokenRefreshError: tried once, tokens kept', async () => {
    let calls = 0;
    const { client, auth, onSessionExpired } = attach({
      refresh: async () => {
        calls++;
        throw axiosError('getaddrinfo ENOTFOUND graphql.example', 'ENOTFOUND', {});
      },
    });

    const error = await client.query(STUDENTS).catch((e: unknown) => e);

    expect(calls).toBe(1);
    expect(error).toMatchObject({ name: 'TokenRefreshError', code: 'REFRESH_MISCONFIGURED', transient: false });
    expect((error as Error).message).toContain('ENOTFOUND');
    expect(onSessionExpired).not.toHaveBeenCalled();
    expect(await auth.getTokens()).toMatchObject(TOKENS);
  });

  it('a transient failure (ECONNRESET) is still retried, and reported as REFRESH_FAILED, transient', async () => {
    let calls = 0;
    const { client } = attach({
      refresh: async () => {
        calls++;
        throw axiosError('socket hang up', 'ECONNRESET', {});
      },
    });

    const error = await client.query(STUDENTS).catch((e: unknown) => e);

    expect(calls).toBe(3);
    expect(error).toMatchObject({ name: 'TokenRefreshError', code: 'REFRESH_FAILED', transient: true });
  });
});

describe('attachTokenRefresh(instance): a session ended by a rejected refresh token says so', () => {
  function record() {
    const events: unknown[] = [];
    const listener = (message: unknown) => events.push(message);
    subscribe(DIAGNOSTICS_CHANNELS.sessionExpired, listener);
    return { events, stop: () => unsubscribe(DIAGNOSTICS_CHANNELS.sessionExpired, listener) };
  }

  it('without a login: reason refresh-rejected, and a message naming the rejected refresh token and the missing login', async () => {
    const rec = record();
    try {
      const { client, onSessionExpired } = attach();

      const error = await client.query(STUDENTS).catch((e: unknown) => e);

      expect(isSessionExpiredError(error)).toBe(true);
      expect((error as Error).message).toBe(
        'The session has expired: the server rejected the refresh token (Invalid refresh token) and no `login` is configured to replace it',
      );
      expect(rec.events).toEqual([{ reason: 'refresh-rejected', generation: expect.any(Number) }]);
      expect(onSessionExpired).toHaveBeenCalledTimes(1);
    } finally {
      rec.stop();
    }
  });

  it('with a login that is rejected too: reason login-rejected, and a message saying both', async () => {
    const rec = record();
    try {
      const { client } = attach({
        login: async () => {
          throw Object.assign(new Error('Invalid credentials'), { name: 'LoginError', code: 'LOGIN_FAILED' });
        },
      });

      const error = await client.query(STUDENTS).catch((e: unknown) => e);

      expect((error as Error).message).toBe(
        'The session has expired and the login that was to renew it was rejected (Invalid credentials)',
      );
      expect(rec.events).toEqual([{ reason: 'login-rejected', generation: expect.any(Number) }]);
    } finally {
      rec.stop();
    }
  });

  it('with no refresh token stored and no login: reason no-login', async () => {
    const rec = record();
    try {
      const { client } = attach({ tokens: { accessToken: TOKENS.accessToken } });

      const error = await client.query(STUDENTS).catch((e: unknown) => e);

      expect((error as Error).message).toBe('The session has expired: no refresh token is stored and no `login` is configured');
      expect(rec.events).toEqual([{ reason: 'no-login', generation: expect.any(Number) }]);
    } finally {
      rec.stop();
    }
  });
});
