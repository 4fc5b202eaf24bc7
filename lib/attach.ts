import type { AxiosInstance } from 'axios';
import { createAuthErrorDetector } from './detect';
import { createLog } from './log';
import { MemoryTokenStore } from './memory-token-store';
import { createNextSchoolRefresh } from './nextschool-refresh';
import { resolveOptions } from './options';
import { createOriginPolicy, fullUrlOf, originOf } from './origin';
import { createPacer } from './pacer';
import { isGraphQLRequest } from './replay-policy';
import { createRequestInterceptor } from './request-interceptor';
import type { PluginContext } from './request-state';
import { createResponseInterceptors } from './response-interceptor';
import { createSession } from './session';
import { isTokenStore } from './tokens';
import { createPrivateClient } from './transport';
import type { TokenRefreshHandle, TokenRefreshOptions, TokenRefreshStats, TokenStore } from './types';

export { STATE_KEY } from './request-state';

function assertInstance(instance: unknown): asserts instance is AxiosInstance {
  const i = instance as AxiosInstance | undefined;
  const ok =
    !!i &&
    (typeof i === 'function' || typeof i === 'object') &&
    typeof i.interceptors?.request?.use === 'function' &&
    typeof i.interceptors?.response?.use === 'function' &&
    !!i.defaults;
  if (!ok) throw new TypeError(`Expected \`instance\` to be an axios instance, got \`${instance === null ? 'null' : typeof instance}\``);
}

/**
 * Makes an axios instance survive expiring access tokens: attaches the token to its requests,
 * detects auth errors in answers (GraphQL `UNAUTHENTICATED` inside HTTP 200 bodies, and 401s),
 * runs **one** refresh for any number of concurrent failures, holds new requests while it runs, and
 * replays the failed ones with the new token.
 *
 * @param instance - An axios instance you already have (axios 0.27 or 1.x). Attach before adding
 *   your own response interceptors, so they see the final answer once.
 * @param options - See {@link TokenRefreshOptions}.
 * @returns A handle to force a refresh, log in, set or read tokens, read counters, and detach.
 *
 * @remarks
 * The default refresh is the NextSchool `refreshToken` mutation, posted with variables to `url`
 * through the instance's transport but none of its interceptors. Tokens are sent only to the origin
 * of the instance's `baseURL` or of `url`; the refresh token only to a GraphQL endpoint: `url`, or
 * the `baseURL` once a GraphQL request went there (an attachment for a REST API on another origin
 * joins the refresh of another attachment on its token store instead).
 *
 * @example
 * ```ts
 * import axios from 'axios';
 * import { attachTokenRefresh } from 'axios-graphql-refresh';
 *
 * const api = axios.create({ baseURL: 'https://data.nextschool.io/' });
 * const auth = attachTokenRefresh(api, {
 *   tokens: { accessToken, refreshToken, expiresIn: 900 },
 *   onSessionExpired: () => console.warn('log in again'),
 * });
 * ```
 */
export function attachTokenRefresh(instance: AxiosInstance, options?: TokenRefreshOptions): TokenRefreshHandle {
  assertInstance(instance);
  const opts = resolveOptions(options);
  const store: TokenStore = isTokenStore(opts.tokens) ? opts.tokens : new MemoryTokenStore(opts.tokens ?? null);
  const log = createLog(opts.logger);
  const stats: TokenRefreshStats = { refreshes: 0, logins: 0, replays: 0, queued: 0, sessionExpired: 0, rateLimited: 0 };
  const client = createPrivateClient(instance);
  const refresh =
    opts.refresh ??
    createNextSchoolRefresh({ client: () => client, instance, url: opts.url, rotating: opts.rotatingRefreshTokens, timeoutMs: opts.refreshTimeoutMs });
  // The refresh endpoint is the GraphQL endpoint when configured, or once a GraphQL request went to its origin.
  const endpointOrigin = () => originOf(fullUrlOf({ baseURL: instance.defaults.baseURL, url: opts.url }));
  const session = createSession({
    store,
    options: opts,
    refresh,
    explicitRefresh: !!opts.refresh || !!opts.url,
    confirms: (request) => isGraphQLRequest(request as never) && originOf(fullUrlOf(request as never)) === endpointOrigin(),
    log,
    stats,
  });
  const ctx: PluginContext = {
    instance,
    opts,
    session,
    client,
    stats,
    log,
    owner: `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`,
    isAuthError: (opts.isAuthError ?? createAuthErrorDetector(opts.authErrorCodes, opts.authStatusCodes)) as PluginContext['isAuthError'],
    shouldAttachToken: opts.shouldAttachToken ?? createOriginPolicy(instance, opts.url),
    pacer: opts.rateLimit ? createPacer(opts.rateLimit) : undefined,
  };
  const { onFulfilled, onRejected } = createResponseInterceptors(ctx);
  const requestId = instance.interceptors.request.use(createRequestInterceptor(ctx));
  const responseId = instance.interceptors.response.use(onFulfilled, onRejected);

  return {
    refresh: () => session.refresh(),
    login: () => session.login(),
    setTokens: (tokens) => session.setTokens(tokens),
    getTokens: () => session.read(),
    detach() {
      instance.interceptors.request.eject(requestId);
      instance.interceptors.response.eject(responseId);
      session.leave();
    },
    get stats() {
      return { ...stats };
    },
  };
}
