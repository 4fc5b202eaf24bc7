import type { AxiosError, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { operationNameOf, publishRateLimited } from '../diagnostics';
import { TokenRefreshError } from '../errors/token-refresh-error';
import { type RateLimitVerdict, rateLimitOf } from '../policy/detect';
import { isOneShotBody, replaySafety } from '../policy/replay-safety';
import { isResponse } from '../util/body';
import { waitFor } from '../util/cancel';
import { isAxiosError, redactAxiosError } from '../util/redact';
import { sleep } from '../util/timers';
import { answered } from '../util/turns';
import { type PluginContext, plainlyFine, type RequestState, stateOf } from './request-state';
import { isRetriableFailure, userRetryOf } from './retry';
import { type Outcome, onBehalfOf, sendAgain } from './send';

// The response interceptors: an answer that is an auth error is replayed with a newer token (one
// refresh for all of them), a rate-limit decline is waited out then replayed, a transient failure of
// a query is sent again — each within its own bound — until the answer is none of these
// (docs/how-it-works.md). Anything returned or thrown is scrubbed of tokens first.

const configOf = (o: Outcome) => (o.response ?? (o.error as AxiosError)).config as InternalAxiosRequestConfig;
const responseOf = (o: Outcome): AxiosResponse | undefined => o.response ?? (o.error as AxiosError).response;

function finish(outcome: Outcome): AxiosResponse {
  if (outcome.error !== undefined) throw redactAxiosError(outcome.error);
  return outcome.response!;
}

/** An auth error: refresh (or adopt a newer token) and send again, if the request may run twice. */
async function afterAuthError(
  ctx: PluginContext,
  config: InternalAxiosRequestConfig,
  state: RequestState,
  response: AxiosResponse,
  error: unknown,
): Promise<Outcome | undefined> {
  ctx.log('auth error detected', { status: response.status, url: config.url, replays: state.replays });
  if (state.replays >= ctx.opts.maxReplays) {
    ctx.log('replay limit reached; answering as is', { maxReplays: ctx.opts.maxReplays });
    return undefined;
  }
  const safety = replaySafety(config, response, ctx.opts.authErrorCodes);
  if (safety !== 'replay') {
    ctx.session.refreshSoon(state.generation, config); // the requests that follow still get a new token
    if (safety === 'stream') {
      throw new TokenRefreshError('The request body is a stream, which cannot be sent twice: it was not replayed after the refresh', {
        cause: redactAxiosError(error),
        code: 'BODY_NOT_REPLAYABLE',
      });
    }
    ctx.log('mutation may have run; not replayed', { url: config.url });
    return undefined;
  }
  const next = await onBehalfOf(ctx, config, state, (wait) => ctx.session.newerThan(state.generation, wait, config));
  if (!next?.token) return undefined;
  ctx.stats.replays++;
  ctx.log('replaying', { url: config.url });
  return sendAgain(ctx, config, next.token, { ...state, generation: next.generation, replays: state.replays + 1 }, 'unauthenticated');
}

/** A rate-limit decline: pause every request for the time asked, then send again (a declined request did not run). */
async function afterRateLimit(
  ctx: PluginContext,
  config: InternalAxiosRequestConfig,
  state: RequestState,
  response: AxiosResponse,
  limited: RateLimitVerdict,
): Promise<Outcome | undefined> {
  if (state.waits >= ctx.opts.maxRateLimitWaits || limited.delayMs > ctx.opts.maxRateLimitDelayMs) {
    ctx.log('rate limited again; answering as is', { waits: state.waits, delayMs: limited.delayMs });
    return undefined;
  }
  // A decline is a field error next to data that did run, unless it proves otherwise.
  if (limited.kind === 'graphql' && replaySafety(config, response, ['RATE_LIMITED']) !== 'replay') return undefined;
  if (isOneShotBody(config.data)) return undefined;
  ctx.stats.rateLimited++;
  ctx.log('rate limited: pausing every request', { delayMs: limited.delayMs, url: config.url });
  publishRateLimited(() => ({
    operation: operationNameOf(config),
    reason: 'declined',
    status: response.status,
    delayMs: limited.delayMs,
    attempt: state.waits + 1,
  }));
  ctx.session.pauseFor(limited.delayMs);
  const next = await onBehalfOf(ctx, config, state, async (wait) => {
    await ctx.session.passGate(wait);
    return ctx.session.newerThan(-1, wait, config);
  });
  if (!next) return undefined;
  return sendAgain(ctx, config, next.token, { ...state, generation: next.generation, waits: state.waits + 1 }, 'rate-limited');
}

/** A transient failure of a query the plugin sends again (retry.ts); never one the user's axios-retry saw: it alone decides. */
function retryable(ctx: PluginContext, error: unknown, state: RequestState, config: InternalAxiosRequestConfig): boolean {
  const retry = ctx.opts.retry;
  if (!retry || !isAxiosError(error) || state.retried >= retry.retries || userRetryOf(config) !== undefined) return false;
  return isRetriableFailure(error);
}

/** A transient failure of a query: wait the backoff, send again with the newest token. */
async function afterTransientFailure(
  ctx: PluginContext,
  config: InternalAxiosRequestConfig,
  state: RequestState,
  error: unknown,
): Promise<Outcome> {
  const delay = (ctx.opts.retry as { retryDelay: (n: number, e: unknown) => number }).retryDelay(state.retried + 1, error);
  ctx.log('transient failure; sending again', { attempt: state.retried + 1, delay });
  await onBehalfOf(ctx, config, state, (wait) => waitFor(sleep(delay, wait.signal), wait.signal, wait.deadline));
  const now = await ctx.session.latest();
  return sendAgain(
    ctx,
    config,
    state.generation > 0 ? now.token : undefined,
    { ...state, generation: now.generation, retried: state.retried + 1 },
    'transient',
  );
}

/** What an answer asks of the plugin: to wait out a rate-limit decline, or to refresh (a retryable failure is judged apart). */
interface Verdict {
  limited: RateLimitVerdict | undefined;
  auth: boolean;
}

function verdictOf(ctx: PluginContext, response: AxiosResponse | undefined, error: unknown): Verdict {
  const limited = response ? rateLimitOf(response) : undefined;
  return { limited, auth: !limited && !!response && !!ctx.isAuthError(response, error) };
}

/**
 * Handles an answer until it is neither an auth error, a rate-limit decline nor a retryable failure,
 * or a bound is reached. `verdict` is the first answer's, when the interceptor already read it.
 */
async function settle(ctx: PluginContext, first: Outcome, verdict?: Verdict): Promise<AxiosResponse> {
  let outcome = first;
  for (;;) {
    // A replay answered plainly (the common end): nothing more to look for.
    if (outcome.response && plainlyFine(ctx, outcome.response)) return outcome.response;
    const config = configOf(outcome);
    const state = stateOf(ctx, config)!;
    const response = responseOf(outcome);
    const { limited, auth } = verdict ?? verdictOf(ctx, response, outcome.error);
    verdict = undefined;
    let next: Outcome | undefined;
    if (response && limited) next = await afterRateLimit(ctx, config, state, response, limited);
    else if (response && auth) next = await afterAuthError(ctx, config, state, response, outcome.error);
    else if (outcome.error !== undefined && retryable(ctx, outcome.error, state, config))
      next = await afterTransientFailure(ctx, config, state, outcome.error);
    if (!next) return finish(outcome);
    outcome = next;
  }
}

const JSON_BLOB = /json/i;

/** A small JSON Blob (`responseType: 'blob'`) read as text, for detection only: the caller still gets the Blob. */
function blobView(response: AxiosResponse): Promise<AxiosResponse> | undefined {
  const data = response.data as { size?: number; type?: string; text?: () => Promise<string> } | undefined;
  if (typeof Blob === 'undefined' || !(data instanceof Blob) || (data.size ?? 0) > 64 * 1024 || (data.type && !JSON_BLOB.test(data.type)))
    return undefined;
  return data.text!().then((text) => ({ ...response, data: text }));
}

export function createResponseInterceptors(ctx: PluginContext) {
  const needsWork = (verdict: Verdict) => !!verdict.limited || verdict.auth;

  /** Settles an answer that asks for work; any other goes back as it came. */
  function handle(response: AxiosResponse): AxiosResponse | Promise<AxiosResponse> {
    const verdict = verdictOf(ctx, response, undefined);
    return needsWork(verdict) ? settle(ctx, { response }, verdict) : response;
  }

  function onFulfilled(response: AxiosResponse): AxiosResponse | Promise<AxiosResponse> {
    if (!isResponse(response)) return response; // reshaped before ours, by an interceptor someone else's `forEach` put first (interceptor-order.ts)
    const state = stateOf(ctx, response.config);
    answered(state?.turn);
    if (!state || state.passive || plainlyFine(ctx, response)) return response;
    const view = blobView(response);
    // The caller keeps its Blob unless a resend answered in its place.
    if (view)
      return view.then(async (v) => {
        const settled = await handle(v);
        return settled === v ? response : settled;
      });
    return handle(response);
  }

  function onRejected(error: unknown): Promise<AxiosResponse> {
    if (!isAxiosError(error)) return Promise.reject(error);
    const state = stateOf(ctx, error.config);
    answered(state?.turn);
    if (!state || state.passive) return Promise.reject(redactAxiosError(error));
    const config = error.config as InternalAxiosRequestConfig;
    const verdict = verdictOf(ctx, error.response, error);
    if (!needsWork(verdict) && !retryable(ctx, error, state, config)) return Promise.reject(redactAxiosError(error));
    return settle(ctx, { error }, verdict);
  }

  return { onFulfilled, onRejected };
}
