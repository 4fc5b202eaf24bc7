import type { AxiosInstance, AxiosRequestConfig, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { CANCELED, cancellationOf } from './cancel';
import { createAuthErrorDetector, rateLimitOf, type RateLimitVerdict } from './detect';
import { TokenRefreshError } from './errors/token-refresh-error';
import { deleteHeader, plainHeaders, setHeader } from './headers';
import { MemoryTokenStore } from './memory-token-store';
import { createLog } from './log';
import { createNextSchoolRefresh } from './nextschool-refresh';
import { resolveOptions } from './options';
import { createOriginPolicy } from './origin';
import { createPacer } from './pacer';
import { isAxiosError, redactAxiosError } from './redact';
import { replaySafety } from './replay-policy';
import { installRetry } from './retry';
import { createSession } from './session';
import { isTokenStore } from './tokens';
import { createPrivateClient, type PrivateClient } from './transport';
import type { TokenRefreshHandle, TokenRefreshOptions, TokenRefreshStats, TokenStore } from './types';

/** Per-request state, under a namespaced string key (Symbol keys are lost on replay in older axios 1.x). */
export const STATE_KEY = 'axios-graphql-refresh';

interface RequestState {
  /** Which attachment stamped the request (two attachments on one instance stay apart). */
  owner: string;
  /** Generation of the token the request was sent with (see session.ts). */
  generation: number;
  /** Auth replays so far. */
  replays: number;
  /** Rate-limit declines waited out so far (their own bound, not `maxReplays`). */
  waits: number;
  /** `skipAuthRefresh`: token attached, never held, refreshed for or replayed. */
  passive: boolean;
  /** Key of the pacing slot this request holds (`rateLimit`), if any. */
  slot?: string;
}

type Outcome = { response: AxiosResponse; error?: undefined } | { error: unknown; response?: undefined };

const identity = (data: unknown) => data;

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

function isResponse(value: unknown): value is AxiosResponse {
  return !!value && typeof value === 'object' && 'config' in value && 'status' in value && 'headers' in value;
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
 * of the instance's `baseURL` or of `url`.
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
  const client: PrivateClient = createPrivateClient(instance);
  const refresh =
    opts.refresh ??
    createNextSchoolRefresh({ client: () => client, instance, url: opts.url, rotating: opts.rotatingRefreshTokens, timeoutMs: opts.refreshTimeoutMs });
  const session = createSession({ store, options: opts, refresh, log, stats });
  const isAuthError = opts.isAuthError ?? createAuthErrorDetector(opts.authErrorCodes, opts.authStatusCodes);
  const shouldAttachToken = opts.shouldAttachToken ?? createOriginPolicy(instance, opts.url);
  const owner = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  const pacer = opts.rateLimit ? createPacer(opts.rateLimit) : undefined;
  // Slots are kept here, not on the config: configs are copied and rendered, closures are not.
  const slots = new Map<string, () => void>();
  let nextSlot = 0;

  function releaseSlot(key: string | undefined): void {
    if (!key) return;
    slots.get(key)?.();
    slots.delete(key);
  }

  function stateOf(config: unknown): RequestState | undefined {
    const state = (config as Record<string, unknown> | undefined)?.[STATE_KEY] as RequestState | undefined;
    return state && state.owner === owner ? state : undefined;
  }

  function stamp(config: InternalAxiosRequestConfig, state: Omit<RequestState, 'owner'>): void {
    (config as unknown as Record<string, unknown>)[STATE_KEY] = { owner, ...state };
  }

  async function onRequest(config: InternalAxiosRequestConfig): Promise<InternalAxiosRequestConfig> {
    if (config.skipAuth || !shouldAttachToken(config)) return config;
    const prior = stateOf(config);
    if (config.skipAuthRefresh) {
      const tokens = await session.read();
      if (tokens?.accessToken) setHeader(config, 'Authorization', `Bearer ${tokens.accessToken}`);
      stamp(config, { generation: 0, replays: 0, waits: 0, passive: true });
      return config;
    }
    const cancel = cancellationOf(config);
    let slot: string | undefined;
    try {
      if (pacer) {
        const release = await pacer.acquire(cancel.signal);
        slot = `${owner}:${nextSlot++}`;
        slots.set(slot, release);
      }
      // Read after pacing: a request that waited for a slot still goes out with the newest token.
      const { token, generation } = await session.forRequest(cancel.signal, () => {
        stats.queued++;
        log('request held while a refresh runs', { url: config.url });
      });
      if (token) setHeader(config, 'Authorization', `Bearer ${token}`);
      stamp(config, { generation, replays: prior?.replays ?? 0, waits: prior?.waits ?? 0, passive: false, slot });
      return config;
    } catch (error) {
      releaseSlot(slot);
      // Given up while waiting: axios itself rejects with its CanceledError, since the signal is aborted.
      if (error === CANCELED) return config;
      throw error;
    } finally {
      cancel.dispose();
    }
  }

  /** Sends the already-serialized request again with a new token, bypassing every interceptor and transform. */
  function replay(config: InternalAxiosRequestConfig, token: string, state: RequestState): Promise<AxiosResponse> {
    const headers = plainHeaders(config.headers, config.method);
    deleteHeader(headers, 'Content-Length');
    const next = { ...config, headers, transformRequest: [identity], [STATE_KEY]: state };
    setHeader(next, 'Authorization', `Bearer ${token}`);
    return client.request(next as AxiosRequestConfig);
  }

  /** Axios' own CanceledError (of the user's axios copy): a request whose signal is aborted rejects before sending. */
  function cancelled(config: InternalAxiosRequestConfig): Promise<never> {
    const headers = plainHeaders(config.headers, config.method);
    deleteHeader(headers, 'Authorization');
    return client.request({ ...config, headers } as AxiosRequestConfig) as Promise<never>;
  }

  /** Waits for `work` on behalf of a request: if its caller gives up, axios' own CanceledError (behaviour 9). */
  async function onBehalfOf<T>(config: InternalAxiosRequestConfig, work: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
    const cancel = cancellationOf(config);
    try {
      return await work(cancel.signal);
    } catch (error) {
      if (error === CANCELED) return cancelled(config);
      throw error;
    } finally {
      cancel.dispose();
    }
  }

  /** Sends the request again; an HTTP answer (even an error status) is an outcome to look at, anything else is final. */
  async function sendAgain(config: InternalAxiosRequestConfig, token: string, state: RequestState): Promise<Outcome> {
    try {
      return { response: await replay(config, token, state) };
    } catch (error) {
      if (!isAxiosError(error) || !error.response) throw redactAxiosError(error);
      return { error };
    }
  }

  function finish(outcome: Outcome): AxiosResponse {
    if (outcome.error !== undefined) throw redactAxiosError(outcome.error);
    return outcome.response!;
  }

  /** Waits out a rate-limit decline, then resolves the outcome of sending the request again (behaviour 12). */
  async function afterRateLimit(outcome: Outcome, limited: RateLimitVerdict): Promise<Outcome | AxiosResponse> {
    const response = outcome.response ?? (outcome.error as { response: AxiosResponse }).response;
    const config = response.config as InternalAxiosRequestConfig;
    const state = stateOf(config)!;
    if (state.waits >= opts.maxRateLimitWaits || limited.delayMs > opts.maxRateLimitDelayMs) {
      log('rate limited again; answering as is', { waits: state.waits, delayMs: limited.delayMs });
      return finish(outcome);
    }
    // A declined request did not run — unless the decline is a field error next to data that did.
    if (limited.kind === 'graphql' && replaySafety(config, response, ['RATE_LIMITED'], false) !== 'replay') return finish(outcome);
    if (replaySafety(config, response, [], true) === 'stream') return finish(outcome);
    stats.rateLimited++;
    log('rate limited: pausing every request', { delayMs: limited.delayMs, url: config.url });
    session.pauseFor(limited.delayMs);
    const next = await onBehalfOf(config, async (signal) => {
      await session.passGate(signal);
      return session.newerThan(-1, signal);
    });
    if (!next) return finish(outcome);
    return sendAgain(config, next.token, { ...state, generation: next.generation, waits: state.waits + 1 });
  }

  /**
   * Refresh-and-replay (behaviours 2, 3, 6) and rate-limit waits (behaviour 12), until the answer is
   * neither, or a bound is reached.
   */
  async function settle(first: Outcome): Promise<AxiosResponse> {
    let outcome = first;
    for (;;) {
      const response = outcome.response ?? (outcome.error as { response?: AxiosResponse }).response!;
      const config = response.config as InternalAxiosRequestConfig;
      const state = stateOf(config)!;
      const limited = rateLimitOf(response);
      if (limited) {
        const next = await afterRateLimit(outcome, limited);
        if (isResponse(next)) return next;
        outcome = next;
        continue;
      }
      if (!isAuthError(response, outcome.error)) return finish(outcome);
      log('auth error detected', { status: response.status, url: config.url, replays: state.replays });
      if (state.replays >= opts.maxReplays) {
        log('replay limit reached; answering as is', { maxReplays: opts.maxReplays });
        return finish(outcome);
      }
      const safety = replaySafety(config, response, opts.authErrorCodes, opts.authStatusCodes.includes(response.status));
      if (safety !== 'replay') {
        // The token is still refreshed for the requests that follow.
        session.refreshSoon(state.generation);
        if (safety === 'stream') {
          redactAxiosError(outcome.error);
          throw new TokenRefreshError('The request body is a stream, which cannot be sent twice: it was not replayed after the refresh', {
            cause: outcome.error,
          });
        }
        log('mutation may have run; not replayed', { url: config.url });
        return finish(outcome);
      }
      const next = await onBehalfOf(config, (signal) => session.newerThan(state.generation, signal));
      if (!next) return finish(outcome);
      stats.replays++;
      log('replaying', { url: config.url });
      outcome = await sendAgain(config, next.token, { ...state, generation: next.generation, replays: state.replays + 1 });
    }
  }

  function onFulfilled(response: AxiosResponse): AxiosResponse | Promise<AxiosResponse> {
    if (!isResponse(response)) return response; // reshaped by an interceptor that ran before ours
    const state = stateOf(response.config);
    if (!state || state.passive || !(rateLimitOf(response) || isAuthError(response, undefined))) {
      releaseSlot(state?.slot);
      return response;
    }
    return settle({ response }).finally(() => releaseSlot(state.slot));
  }

  function onRejected(error: unknown): Promise<AxiosResponse> {
    if (!isAxiosError(error)) return Promise.reject(error);
    const state = stateOf(error.config);
    if (!state) return Promise.reject(error);
    if (state.passive || !error.response || !(rateLimitOf(error.response) || isAuthError(error.response, error))) {
      releaseSlot(state.slot);
      return Promise.reject(redactAxiosError(error));
    }
    return settle({ error }).finally(() => releaseSlot(state.slot));
  }

  const requestId = instance.interceptors.request.use(onRequest);
  const responseId = instance.interceptors.response.use(onFulfilled, onRejected);
  // After ours: a retried request passes our request interceptor again and gets the current token.
  const ejectRetry = opts.retry ? installRetry(instance, opts.retry, (config) => !!stateOf(config)) : () => {};

  return {
    refresh: () => session.refresh(),
    login: () => session.login(),
    setTokens: (tokens) => session.setTokens(tokens),
    getTokens: () => session.read(),
    detach() {
      instance.interceptors.request.eject(requestId);
      instance.interceptors.response.eject(responseId);
      ejectRetry();
    },
    get stats() {
      return { ...stats };
    },
  };
}
