import type { AxiosInstance } from 'axios';
import { GraphQLRequestError } from '../errors/graphql-request-error';
import { TokenRefreshError } from '../errors/token-refresh-error';
import { isPermanentCode, isTransientStatus } from '../policy/classify';
import { allErrors, rateLimitOf } from '../policy/detect';
import { fullUrlOf } from '../policy/origin';
import type { RefreshContext, TokenInput } from '../types';
import { bearerOf } from '../util/headers';
import { redactAxiosError, redactDeep, redactText } from '../util/redact';
import { type PostResult, type PrivateClient, postGraphQL, transportFailureOf } from './private-client';

/**
 * The NextSchool refresh mutation. Variables, never interpolation: a refresh token holding `"` or
 * `}` cannot break the document. NextSchool documents only `accessToken expiresIn` as its fields.
 *
 * @example
 * ```ts
 * await axios.post(url, { query: REFRESH_MUTATION, variables: { refreshToken }, operationName: 'RefreshToken' });
 * ```
 */
export const REFRESH_MUTATION =
  'mutation RefreshToken($refreshToken: String!) { refreshToken(refreshToken: $refreshToken) { accessToken expiresIn } }';

/**
 * The same mutation for servers that rotate refresh tokens: the new one replaces the stored one.
 * Used by the default refresh when `rotatingRefreshTokens: true`.
 *
 * @example
 * ```ts
 * attachTokenRefresh(api, { rotatingRefreshTokens: true }); // sends ROTATING_REFRESH_MUTATION
 * ```
 */
export const ROTATING_REFRESH_MUTATION =
  'mutation RefreshToken($refreshToken: String!) { refreshToken(refreshToken: $refreshToken) { accessToken refreshToken expiresIn } }';

/**
 * Sends a GraphQL mutation for tokens and classifies the answer: transient failures throw
 * {@link TokenRefreshError}; a verdict ("invalid token", no `accessToken`) throws
 * {@link GraphQLRequestError}. `secrets` are scrubbed from anything that is thrown.
 */
export async function requestTokens(
  client: PrivateClient,
  instance: AxiosInstance,
  request: {
    url: string;
    query: string;
    operationName: string;
    variables: Record<string, string>;
    field: string;
    signal: AbortSignal;
    timeoutMs: number;
    what: string;
    /** The access token the herd's answers said is dead: their answers are read after this one (held-reads.ts). */
    deadToken?: string;
  },
): Promise<TokenInput> {
  const secrets = Object.values(request.variables);
  let result: PostResult;
  try {
    result = await postGraphQL(client, instance, {
      url: request.url,
      body: { query: request.query, variables: request.variables, operationName: request.operationName },
      signal: request.signal,
      timeoutMs: request.timeoutMs,
      deadBearer: request.deadToken ? bearerOf(request.deadToken) : undefined,
    });
  } catch (error) {
    throw noAnswer(request.what, fullUrlOf({ baseURL: instance.defaults.baseURL, url: request.url }), error, secrets);
  }
  if (result.redirect) throw redirected(request.what, result);
  const { status, body } = result;
  // The cause says what came back (status, content type), never the body: it may echo secrets.
  const answer = () =>
    Object.assign(new Error(`HTTP ${status}${result.response.statusText ? ` ${result.response.statusText}` : ''}`), {
      name: 'HttpAnswer',
      status,
      contentType: String((result.response.headers as Record<string, unknown> | undefined)?.['content-type'] ?? ''),
    });
  if (body === undefined || body === null || typeof body !== 'object') {
    throw new TokenRefreshError(`The ${request.what} answer (HTTP ${status}) was not JSON`, { cause: answer() });
  }
  // Servers echo what they were sent, in messages and in `extensions`: neither may carry a secret on.
  const errors = redactDeep(
    allErrors(body).map((e) => ({ ...e, message: String(e.message ?? '') })),
    secrets,
  );
  const limited = rateLimitOf(result.response);
  if (limited || isTransientStatus(status)) {
    throw new TokenRefreshError(`The ${request.what} failed: HTTP ${status}${errors[0] ? `, ${errors[0].message}` : ''}`, {
      retryAfterMs: limited?.delayMs,
      cause: answer(),
    });
  }
  const payload = (body as { data?: Record<string, unknown> | null }).data?.[request.field] as Record<string, unknown> | null | undefined;
  if (!payload || typeof payload.accessToken !== 'string' || payload.accessToken === '') {
    throw new GraphQLRequestError(errors.length ? errors : [{ message: `The ${request.what} answer held no accessToken` }]);
  }
  const tokens: TokenInput = { accessToken: payload.accessToken };
  if (typeof payload.refreshToken === 'string') tokens.refreshToken = payload.refreshToken;
  if (typeof payload.expiresIn === 'number') tokens.expiresIn = payload.expiresIn;
  return tokens;
}

/** Where a URL points, for a message: its origin, or the URL itself when it has none we can read. */
function whereOf(url: string | undefined): string {
  try {
    return new URL(url ?? '').origin;
  } catch {
    return url ? JSON.stringify(url) : 'an unknown place';
  }
}

/** No answer arrived: say where the request went and why (`ECONNREFUSED`, a timeout), never with a secret. */
function noAnswer(what: string, url: string, error: unknown, secrets: string[]): TokenRefreshError {
  const { code, message } = transportFailureOf(error);
  const why = [code, redactText(message, secrets)].filter(Boolean).join(': ');
  return new TokenRefreshError(`The ${what} request to ${whereOf(url)} failed before an answer arrived${why ? `: ${why}` : ''}`, {
    cause: redactAxiosError(error, { secretBody: true, secrets }),
    // A host that does not exist or a bad certificate will not fix itself (policy/classify.ts).
    code: isPermanentCode(code) ? 'REFRESH_MISCONFIGURED' : 'REFRESH_FAILED',
  });
}

/** The endpoint answered with a redirect, which is not followed: the body holds a secret (docs/errors.md). */
function redirected(what: string, result: PostResult): TokenRefreshError {
  const to = result.redirect?.to ? `, a redirect to ${whereOf(result.redirect.to)}` : ' (a redirect)';
  return new TokenRefreshError(
    `The ${what} endpoint ${whereOf(result.url)} answered HTTP ${result.status}${to}: redirects are not followed with a secret in the body (set \`url\` to the endpoint itself)`,
    {
      code: 'REFRESH_MISCONFIGURED',
      cause: Object.assign(new Error(`HTTP ${result.status}`), { name: 'HttpAnswer', status: result.status }),
    },
  );
}

/** The default `refresh`: the NextSchool `refreshToken` mutation, sent to `url` with the instance's transport. */
export function createNextSchoolRefresh(options: {
  client: () => PrivateClient;
  instance: AxiosInstance;
  url: string;
  rotating: boolean;
  timeoutMs: number;
  /** The token an auth error declared dead, while its refresh runs (Session#deadToken). */
  deadToken?: () => string | undefined;
}) {
  return ({ refreshToken, signal }: RefreshContext): Promise<TokenInput> =>
    requestTokens(options.client(), options.instance, {
      url: options.url,
      query: options.rotating ? ROTATING_REFRESH_MUTATION : REFRESH_MUTATION,
      operationName: 'RefreshToken',
      variables: { refreshToken },
      field: 'refreshToken',
      signal,
      timeoutMs: options.timeoutMs,
      what: 'refresh',
      deadToken: options.deadToken?.(),
    });
}
