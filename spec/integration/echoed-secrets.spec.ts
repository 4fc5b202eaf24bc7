import { inspect } from 'node:util';
import axios from 'axios';
import { attachTokenRefresh, createGraphQLClient, gql } from '../../lib';
import { createNextSchoolClient } from '../../lib/nextschool';
import { closeTestServers, type ExactAnswer, startTestServer, type TestServer } from '../support/graphql-server';

// Servers echo what they were sent: "Access token abc… has expired", an `extensions.token`, a
// stack trace holding the refresh token. Whatever the HTTP status, an error the library builds
// (or hands back) renders none of it (docs/errors.md, "no secret in an error").

const ACCESS = 'access-token-ACCESS-0123456789';
const REFRESHED = 'access-token-REFRESHED-9876543210';
const REFRESH = 'refresh-token-REFRESH-abcdefghij';
const NEW_REFRESH = 'refresh-token-ROTATED-klmnopqrst';
const PASSWORD = 'p@ssw0rd-PASSWORD-uvwxyz';

let server: TestServer;
let url: string;
/** How the server answers, given the bearer token it received (or '') and the request. */
let handle: (request: { authorization: string; body: { operationName?: string; variables?: Record<string, string> } }) => ExactAnswer;

beforeEach(async () => {
  server = await startTestServer({
    answer: ({ authorization, operationName, variables }) =>
      handle({ authorization: authorization ?? '', body: { operationName, variables: variables as Record<string, string> } }),
  });
  url = `${server.origin}/graphql`;
});
afterEach(closeTestServers);

const STUDENTS = gql`query Students { students { id } }`;

/** An error naming the secret in its message and its extensions, as careless servers do. */
function echo(code: string, secret: string) {
  return {
    message: `Access token ${secret} is not allowed here`,
    extensions: { code, token: secret, exception: { stacktrace: [`Error: bad token ${secret}`] } },
  };
}

/** Every way an error is rendered: message, String, stack, JSON, toJSON(), util.inspect, and the errors it carries. */
function renderings(error: unknown): string {
  const e = error as Error & { toJSON?: () => unknown; errors?: unknown; response?: { data?: unknown } };
  return [
    e.message,
    String(e),
    e.stack ?? '',
    JSON.stringify(e),
    JSON.stringify(e.toJSON?.() ?? {}),
    inspect(e, { depth: 10 }),
    JSON.stringify(e.errors ?? []),
    JSON.stringify(e.response?.data ?? null),
  ].join('\n');
}

function attach(options: Record<string, unknown> = {}) {
  const api = axios.create();
  attachTokenRefresh(api, { url, tokens: { accessToken: ACCESS, refreshToken: REFRESH }, ...options });
  return { api, client: createGraphQLClient(api, { url }) };
}

describe('createGraphQLClient(instance).query() on an attached instance: the token sent is scrubbed from echoed errors', () => {
  it.each([200, 400, 403])('at HTTP %i: message, extensions, toJSON(), stack and util.inspect hold no token', async (status) => {
    handle = ({ authorization }) => ({ status, body: { data: null, errors: [echo('FORBIDDEN', authorization.replace('Bearer ', ''))] } });
    const { client } = attach();

    const error = await client.query(STUDENTS).catch((e: unknown) => e);

    expect((error as { code?: string }).code).toBe('FORBIDDEN');
    expect((error as Error).message).toBe('Access token [redacted] is not allowed here');
    expect(renderings(error)).not.toContain(ACCESS);
  });

  it('at HTTP 401 after a replay: the token of the replay (and the first one) are scrubbed', async () => {
    handle = ({ authorization, body }) => {
      if (body.operationName === 'RefreshToken')
        return { status: 200, body: { data: { refreshToken: { accessToken: REFRESHED, expiresIn: 3600 } } } };
      return { status: 401, body: { errors: [echo('UNAUTHENTICATED', authorization.replace('Bearer ', ''))] } };
    };
    const { client } = attach();

    const error = await client.query(STUDENTS).catch((e: unknown) => e);

    expect((error as { code?: string }).code).toBe('UNAUTHENTICATED');
    const text = renderings(error);
    expect(text).toContain('[redacted]');
    expect(text).not.toContain(REFRESHED);
    expect(text).not.toContain(ACCESS);
  });

  it('an axios error the plugin hands back (no GraphQL client) holds no token in its response body', async () => {
    handle = ({ authorization }) => ({ status: 403, body: { errors: [echo('FORBIDDEN', authorization.replace('Bearer ', ''))] } });
    const { api } = attach();

    const error = await api.post(url, { query: '{ students { id } }' }).catch((e: unknown) => e);

    expect((error as { response?: { status?: number } }).response?.status).toBe(403);
    expect(renderings(error)).not.toContain(ACCESS);
  });
});

describe('the default refresh and the NextSchool login: secrets the server echoes are scrubbed', () => {
  it('a rejected refresh that echoes the refresh token (message and extensions): the session-expired error holds none of it', async () => {
    handle = ({ authorization, body }) => {
      if (body.operationName === 'RefreshToken')
        return { status: 400, body: { data: null, errors: [echo('INVALID_REFRESH_TOKEN', body.variables!.refreshToken!)] } };
      return { status: 200, body: { errors: [{ message: `token ${authorization} expired`, extensions: { code: 'UNAUTHENTICATED' } }] } };
    };
    const { client } = attach();

    const error = await client.query(STUDENTS).catch((e: unknown) => e);

    expect((error as Error).name).toBe('SessionExpiredError');
    const cause = (error as { cause?: { errors?: unknown } }).cause;
    expect(JSON.stringify(cause?.errors)).toContain('[redacted]');
    expect(renderings(error) + renderings(cause)).not.toContain(REFRESH);
  });

  it('a rotated refresh token echoed by a refresh answered 500 is not rendered either', async () => {
    handle = ({ body }) => {
      if (body.operationName === 'RefreshToken')
        return {
          status: 500,
          body: {
            errors: [
              {
                ...echo('INTERNAL', body.variables!.refreshToken!),
                extensions: { code: 'INTERNAL', issued: NEW_REFRESH, token: body.variables!.refreshToken },
              },
            ],
          },
        };
      return { status: 200, body: { errors: [{ message: 'expired', extensions: { code: 'UNAUTHENTICATED' } }] } };
    };
    const { client } = attach({ retry: false });

    const error = await client.query(STUDENTS).catch((e: unknown) => e);

    expect((error as Error).name).toBe('TokenRefreshError');
    expect(renderings(error) + renderings((error as { cause?: unknown }).cause)).not.toContain(REFRESH);
  });

  it('a rejected login that echoes the password in extensions: the LoginError holds none of it', async () => {
    handle = ({ body }) => ({
      status: 400,
      body: {
        data: null,
        errors: [
          {
            message: `bad password ${body.variables!.password}`,
            extensions: { code: 'UNAUTHENTICATED', password: body.variables!.password },
          },
        ],
      },
    });
    const ns = createNextSchoolClient({ url, username: 'teacher', password: PASSWORD });

    const error = await ns.login().catch((e: unknown) => e);

    expect((error as Error).name).toBe('LoginError');
    expect(renderings(error) + renderings((error as { cause?: unknown }).cause)).not.toContain(PASSWORD);
  });
});
