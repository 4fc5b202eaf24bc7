import type { AxiosInstance } from 'axios';
import { type ResolvedOptions, resolveOptions } from '../config/options';
import { createAuthErrorDetector } from '../policy/detect';
import { createOriginPolicy, fullUrlOf, originOf } from '../policy/origin';
import { isGraphQLRequest } from '../policy/replay-safety';
import { Session } from '../session/session';
import { MemoryTokenStore } from '../stores/memory-token-store';
import { isTokenStore } from '../stores/tokens';
import type { PrivateClient } from '../transport/private-client';
import { createPrivateClient } from '../transport/private-client';
import type { RefreshContext, TokenInput, TokenRefreshHandle, TokenRefreshOptions, TokenRefreshStats, TokenStore } from '../types';
import { createLog } from '../util/log';
import { assertSupportedAxios, inspectAxiosCopy } from './axios-copy';
import { assertPlaceable, placeFirst } from './interceptor-order';
import { createRequestInterceptor } from './request-interceptor';
import type { PluginContext } from './request-state';
import { createResponseInterceptors } from './response-interceptor';
import { createRetryClient } from './retry';
import { beforeRetry } from './send';

function assertInstance(instance: unknown): asserts instance is AxiosInstance {
  const i = instance as AxiosInstance | undefined;
  const ok =
    !!i &&
    (typeof i === 'function' || typeof i === 'object') &&
    typeof i.interceptors?.request?.use === 'function' &&
    typeof i.interceptors?.response?.use === 'function' &&
    typeof (i.interceptors.request as { forEach?: unknown }).forEach === 'function' &&
    typeof (i.interceptors.response as { forEach?: unknown }).forEach === 'function' &&
    !!i.defaults;
  if (!ok) throw new TypeError(`Expected \`instance\` to be an axios instance, got \`${instance === null ? 'null' : typeof instance}\``);
}

/** Makes the refresh used when `options.refresh` is not given (wired where the package is composed). */
export type DefaultRefresh = (deps: {
  client: PrivateClient;
  instance: AxiosInstance;
  options: ResolvedOptions;
  /** The token an auth error declared dead, while the refresh it started runs (session.ts). */
  deadToken: () => string | undefined;
}) => (ctx: RefreshContext) => Promise<TokenInput>;

/**
 * The generic plugin: everything `attachTokenRefresh` does, with the default refresh given by the
 * caller (lib/attach-token-refresh.ts wires the NextSchool mutation). The core knows no preset.
 */
export function attachPlugin(
  instance: AxiosInstance,
  options: TokenRefreshOptions | undefined,
  defaultRefresh: DefaultRefresh,
): TokenRefreshHandle {
  assertInstance(instance);
  assertSupportedAxios(instance);
  const opts = resolveOptions(options);
  // Everything that can refuse the instance runs before anything is set up on it or on the store.
  const copy = inspectAxiosCopy(instance);
  assertPlaceable(instance.interceptors.request);
  assertPlaceable(instance.interceptors.response);
  const store: TokenStore = isTokenStore(opts.tokens) ? opts.tokens : new MemoryTokenStore(opts.tokens ?? null);
  const log = createLog(opts.logger);
  const stats: TokenRefreshStats = {
    refreshes: 0,
    logins: 0,
    replays: 0,
    queued: 0,
    sessionExpired: 0,
    rateLimited: 0,
    waiting: 0,
    paced: 0,
  };
  const client = createPrivateClient(instance);
  const deadToken = (): string | undefined => session.deadToken();
  const refresh = opts.refresh ?? defaultRefresh({ client, instance, options: opts, deadToken });
  // The refresh endpoint is the GraphQL endpoint when configured, or once a GraphQL request went to its origin.
  const endpointOrigin = () => originOf(fullUrlOf({ baseURL: instance.defaults.baseURL, url: opts.url }));
  const session: Session = new Session({
    store,
    options: opts,
    refresh,
    explicitRefresh: !!opts.refresh || !!opts.url,
    endpointOrigin,
    judge: (request) =>
      originOf(fullUrlOf(request as never)) !== endpointOrigin() ? 'foreign' : isGraphQLRequest(request as never) ? 'graphql' : 'other',
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
    announced: new WeakSet(),
    retrier: createRetryClient(instance, opts.retry, (retryCount, error, config) => beforeRetry(ctx, retryCount, error, config)),
  };
  const { onFulfilled, onRejected } = createResponseInterceptors(ctx);
  const { onRequest, runWhen } = createRequestInterceptor(ctx, copy);
  const requestId = instance.interceptors.request.use(onRequest, undefined, { runWhen });
  const responseId = instance.interceptors.response.use(onFulfilled, onRejected);
  // Whenever the user's interceptors were registered, ours see the raw answer and the final request (interceptor-order.ts).
  const unplace = [placeFirst(instance.interceptors.request, onRequest), placeFirst(instance.interceptors.response, onFulfilled)];

  return {
    refresh: () => session.refresh(),
    login: () => session.login(),
    setTokens: (tokens) => session.setTokens(tokens),
    getTokens: () => session.read(),
    detach() {
      instance.interceptors.request.eject(requestId);
      instance.interceptors.response.eject(responseId);
      for (const undo of unplace) undo();
      ctx.pacer?.dispose();
      session.leave();
    },
    get stats() {
      return { ...stats, waiting: (ctx.pacer?.waiting ?? 0) + session.pausedWaiters() };
    },
  };
}
