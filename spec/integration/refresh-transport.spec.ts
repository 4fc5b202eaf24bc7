import http from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import { attachTokenRefresh, createGraphQLClient, gql, isTokenRefreshError } from '../../lib';
import { createNextSchoolClient } from '../../lib/nextschool';
import { axiosHasFetchAdapter } from '../support/contract';
import { closeTestServers, startTestServer, type TestServer } from '../support/graphql-server';

// The default refresh and the NextSchool login post a secret (the refresh token, the password).
// They never follow a redirect: a 307/308 would post the secret again to wherever it points, and
// that origin's answer would decide the session (docs/errors.md, "transient or permanent"). And
// when no answer comes, the error names where the request went and why.

const STUDENTS = gql`query Students { students { id } }`;
const TOKENS = { accessToken: 'access-token-0123456789', refreshToken: 'refresh-token-SECRET-0123456789' };
const PASSWORD = 'password-SECRET-0123456789';

let api: TestServer;
let other: TestServer;
beforeEach(async () => {
  [api, other] = await Promise.all([startTestServer(), startTestServer()]);
  // The other origin would hand out tokens to whoever asks: it must never be asked.
  other.set({
    answer: () => ({
      status: 200,
      body: {
        data: {
          refreshToken: { accessToken: 'from-the-other-origin', expiresIn: 3600 },
          login: { accessToken: 'from-the-other-origin', expiresIn: 3600 },
        },
      },
    }),
  });
});
afterEach(closeTestServers);

/** The API: data requests are unauthenticated; refresh and login answer with `status` and a Location. */
function redirecting(status: number, location: string) {
  api.set({
    answer: ({ operationName }) =>
      operationName === 'RefreshToken' || operationName === 'Login'
        ? { status, headers: { Location: location }, body: { redirect: location } }
        : { status: 200, body: { errors: [{ message: 'expired', extensions: { code: 'UNAUTHENTICATED' } }] } },
  });
}

const transports: Array<[string, Record<string, unknown>]> = [
  ['the http adapter', {}],
  ...(axiosHasFetchAdapter ? ([['the fetch adapter', { adapter: 'fetch' }]] as Array<[string, Record<string, unknown>]>) : []),
];

describe.each(transports)('the default refresh on %s never follows a redirect', (_, transport) => {
  it.each([307, 308, 302])(
    'HTTP %i to another origin: the refresh token goes nowhere else, the tokens are kept, TokenRefreshError REFRESH_MISCONFIGURED',
    async (status) => {
      redirecting(status, `${other.origin}/graphql`);
      const instance = axios.create({ baseURL: `${api.origin}/graphql`, ...transport });
      const onSessionExpired = jest.fn();
      const auth = attachTokenRefresh(instance, { tokens: TOKENS, onSessionExpired });

      const error = await createGraphQLClient(instance)
        .query(STUDENTS)
        .catch((e: unknown) => e);

      expect(other.received).toEqual([]);
      expect(api.received.filter((r) => r.operationName === 'RefreshToken')).toHaveLength(1); // not retried
      expect(isTokenRefreshError(error)).toBe(true);
      expect(error).toMatchObject({ code: 'REFRESH_MISCONFIGURED', transient: false });
      expect((error as Error).message).toBe(
        `The refresh endpoint ${api.origin} answered HTTP ${status}, a redirect to ${other.origin}: redirects are not followed with a secret in the body (set \`url\` to the endpoint itself)`,
      );
      expect(onSessionExpired).not.toHaveBeenCalled();
      expect(await auth.getTokens()).toMatchObject(TOKENS);
    },
  );

  it('a redirect within the same origin is not followed either', async () => {
    redirecting(308, '/graphql/');
    const instance = axios.create({ baseURL: `${api.origin}/graphql`, ...transport });
    attachTokenRefresh(instance, { tokens: TOKENS });

    const error = await createGraphQLClient(instance)
      .query(STUDENTS)
      .catch((e: unknown) => e);

    expect(api.received.filter((r) => r.operationName === 'RefreshToken').map((r) => r.url)).toEqual(['/graphql']);
    expect((error as Error).message).toContain(`answered HTTP 308, a redirect to ${api.origin}`);
  });

  it('the NextSchool login: a 307 to another origin does not post the password there', async () => {
    redirecting(307, `${other.origin}/graphql`);
    const ns = createNextSchoolClient({
      axios: axios.create({ ...transport }),
      url: `${api.origin}/graphql`,
      username: 'teacher',
      password: PASSWORD,
    });

    const error = await ns.login().catch((e: unknown) => e);

    expect(other.received).toEqual([]);
    expect(api.received.filter((r) => r.operationName === 'Login')).toHaveLength(1);
    expect(error).toMatchObject({ name: 'TokenRefreshError', code: 'REFRESH_MISCONFIGURED' });
    expect((error as Error).message).toContain(`The login endpoint ${api.origin} answered HTTP 307, a redirect to ${other.origin}`);
    expect(JSON.stringify(ns.auth.stats)).toContain('"logins":1');
  });
});

/** A port nothing listens on (a server opened, then closed). */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe.each(transports)('on %s, a refresh or login that gets no answer says where it went and why', (_, transport) => {
  it('the NextSchool login to a wrong URL (connection refused): the origin and ECONNREFUSED, no password', async () => {
    const port = await closedPort();
    const ns = createNextSchoolClient({
      axios: axios.create({ ...transport }),
      url: `http://127.0.0.1:${port}/graphql`,
      username: 'teacher',
      password: PASSWORD,
    });

    const error = await ns.login().catch((e: unknown) => e);

    expect(error).toMatchObject({ name: 'TokenRefreshError', code: 'REFRESH_FAILED', transient: true });
    expect((error as Error).message).toMatch(
      new RegExp(`^The login request to http://127\\.0\\.0\\.1:${port} failed before an answer arrived: ECONNREFUSED`),
    );
    expect(JSON.stringify((error as { toJSON(): unknown }).toJSON())).not.toContain(PASSWORD);
  });

  it('the default refresh to a wrong URL: the origin and ECONNREFUSED, no refresh token', async () => {
    const port = await closedPort();
    const instance = axios.create({ baseURL: api.origin, ...transport });
    api.set({ answer: () => ({ status: 200, body: { errors: [{ message: 'expired', extensions: { code: 'UNAUTHENTICATED' } }] } }) });
    attachTokenRefresh(instance, { tokens: TOKENS, url: `http://127.0.0.1:${port}/graphql`, retry: false, shouldAttachToken: () => true });

    const error = await createGraphQLClient(instance)
      .query(STUDENTS)
      .catch((e: unknown) => e);

    expect((error as Error).message).toMatch(
      new RegExp(`^The refresh request to http://127\\.0\\.0\\.1:${port} failed before an answer arrived: ECONNREFUSED`),
    );
    expect(JSON.stringify((error as { toJSON(): unknown }).toJSON())).not.toContain(TOKENS.refreshToken);
  });
});
