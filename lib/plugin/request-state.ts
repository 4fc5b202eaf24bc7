import type { AxiosInstance, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { ResolvedOptions } from '../config/options';
import { isPlainlyFine } from '../policy/detect';
import type { Budget } from '../session/budget';
import type { Session } from '../session/session';
import type { BoundCache } from '../transport/connections';
import type { PrivateClient } from '../transport/private-client';
import type { TokenRefreshStats } from '../types';
import { answered } from '../util/turns';
import type { Pacer } from './pacing';

// What one attachment's interceptors share (the plugin context), and the state each request
// carries. Per-request state lives under a namespaced string key: Symbol keys are lost on replay in
// older axios 1.x, and nothing secret is ever stored there (no token, only a generation number).

/** Per-request state, under a namespaced string key. */
export const STATE_KEY = 'axios-graphql-refresh';

export interface RequestState {
  /** Which attachment stamped the request (two attachments on one instance stay apart). */
  owner: string;
  /** Generation of the token the request was sent with (see session.ts). */
  generation: number;
  /** Auth replays so far (bounded by `maxReplays`). */
  replays: number;
  /** Rate-limit declines waited out so far (bounded by `maxRateLimitWaits`). */
  waits: number;
  /** Transient failures sent again so far (bounded by `retry.retries`). */
  retried: number;
  /** `skipAuthRefresh`: token attached, never held, refreshed for or replayed. */
  passive: boolean;
  /** The request's own `timeout`, and when it runs out (epoch ms): time held counts against it. */
  timeout?: number;
  deadline?: number;
  /** The turn of the event loop it left in (util/turns.ts): its place there is given back when it is answered. */
  turn?: number;
}

/** Everything the interceptors of one attachment need. */
export interface PluginContext {
  instance: AxiosInstance;
  opts: ResolvedOptions;
  session: Session;
  client: PrivateClient;
  /** The private client the plugin's resends that may still be retried go through, with axios-retry on it (retry.ts; the others use `client`). */
  retrier: PrivateClient;
  stats: TokenRefreshStats;
  log: (message: string, meta?: object) => void;
  owner: string;
  isAuthError: (response?: unknown, error?: unknown) => boolean;
  shouldAttachToken: (config: InternalAxiosRequestConfig) => boolean;
  /** The admission queue, when requests are paced (`rateLimit`, or a bounded agent): made on first use (admission.ts). */
  pacer?: Pacer | undefined;
  /** What the transport's connection bound was found to be last (transport/connections.ts). */
  connections?: BoundCache;
  /** Requests whose wait for a rate limit was announced (admission.ts): once each. */
  announced: WeakSet<object>;
  /** The token store's send budget for `rateLimit`, when it has one. */
  budget?: Budget | undefined;
  /** axios' resolution of adapter names when the instance is made by the same copy, `null` when not (adapters.ts); found on first use. */
  getAdapter?: ((adapters: unknown, config?: unknown) => (config: InternalAxiosRequestConfig) => Promise<AxiosResponse>) | null;
  /** Makes an error as the user's axios copy does, found once (see send.ts). */
  axiosError?: (message: string, code: string, config: unknown) => Error;
}

export function stateOf(ctx: PluginContext, config: unknown): RequestState | undefined {
  const state = (config as Record<string, unknown> | undefined)?.[STATE_KEY] as RequestState | undefined;
  return state && state.owner === ctx.owner ? state : undefined;
}

/** Puts `state` (made by this attachment: `owner` is `ctx.owner`) on the request; it runs on every request, so nothing is copied. */
export function stamp(config: object, state: RequestState): void {
  const prior = (config as Record<string, RequestState | undefined>)[STATE_KEY];
  // Two attachments on one instance: the request keeps one place in its turn (util/turns.ts), the last stamp's.
  if (prior && prior.owner !== state.owner && prior.turn !== state.turn) answered(prior.turn);
  (config as Record<string, unknown>)[STATE_KEY] = state;
}

/** The common answer, nothing to act on (policy/detect.ts): only with the default detector, which it mirrors. */
export function plainlyFine(ctx: PluginContext, response: AxiosResponse): boolean {
  return !ctx.opts.isAuthError && isPlainlyFine(response, ctx.opts.authStatusCodes);
}
