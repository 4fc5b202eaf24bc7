import type { AxiosError, AxiosRequestConfig, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { operationNameOf, publishReplay, type ReplayReason } from '../diagnostics';
import type { RequestTokens } from '../session/session';
import { identity } from '../util/body';
import { CANCELED, cancellationOf, type Patience, TIMED_OUT } from '../util/cancel';
import { deleteHeader, plainHeaders, setBearer } from '../util/headers';
import { copyConfig } from '../util/own-properties';
import { isAxiosError, redactAxiosError } from '../util/redact';
import { answered, aTurn, thisTurn } from '../util/turns';
import { lastLookAdapter } from './adapters';
import { type PluginContext, type RequestState, STATE_KEY, stateOf } from './request-state';
import { RETRY_KEY, retriesOn, userRetryOf } from './retry';

// Sending a request again, and the errors axios itself would give. Replays and retries go through
// the private client (no interceptors, identity transformRequest): the caller gets the same
// response shape as without a refresh (docs/how-it-works.md, "replay"). Errors are made by the
// user's own copy of axios, so `axios.isCancel`, `instanceof AxiosError` and codes match.

/** What an answer turned out to be: a response, or an axios error (with or without a response). */
export type Outcome = { response: AxiosResponse; error?: undefined } | { error: unknown; response?: undefined };

export const isCanceled = (error: unknown) =>
  !!error &&
  typeof error === 'object' &&
  ((error as { __CANCEL__?: unknown }).__CANCEL__ === true || (error as { code?: unknown }).code === 'ERR_CANCELED');

/** What the plugin asks of axios only for the error it makes goes to a local adapter: never to the network, whatever the copy does. */
const notSent = () => Promise.reject(new Error('axios-graphql-refresh: a request made for its error only was not sent'));

/** Axios' own CanceledError (`Cancel` before 0.27): a request whose signal is aborted rejects before sending. */
export function cancelled(ctx: PluginContext, config: InternalAxiosRequestConfig): Promise<never> {
  const headers = plainHeaders(config.headers, config.method);
  deleteHeader(headers, 'Authorization');
  return ctx.client.request({ ...config, headers, adapter: notSent } as AxiosRequestConfig) as Promise<never>;
}

/** How axios 0.22–0.26 make their errors (core/createError.js): an Error carrying the config, a code, `isAxiosError` and `toJSON`. */
function legacyAxiosError(message: string, code: string, config: unknown): Error {
  const error = Object.assign(new Error(message), { config, code, request: undefined, response: undefined, isAxiosError: true });
  const toJSON = () => ({
    message: error.message,
    name: error.name,
    stack: error.stack,
    config: error.config,
    code: error.code,
    status: null,
  });
  return Object.assign(error, { toJSON });
}

/** Makes errors as the user's copy of axios does: its AxiosError class (0.27+: a CanceledError's parent), or as 0.22–0.26 do (they have none). */
async function axiosErrorOf(ctx: PluginContext): Promise<NonNullable<PluginContext['axiosError']>> {
  const canceled: unknown = await ctx.client
    .request({ url: '', signal: AbortSignal.abort() as AxiosRequestConfig['signal'], adapter: notSent })
    .catch((e: unknown) => e);
  const parent: unknown = canceled instanceof Error ? Object.getPrototypeOf(Object.getPrototypeOf(canceled))?.constructor : undefined;
  if (typeof parent !== 'function' || parent === Error || parent === Object) return legacyAxiosError;
  const AxiosError = parent as new (message: string, code: string, config: unknown) => Error;
  return (message, code, config) => new AxiosError(message, code, config);
}

/** The timeout error axios gives (`ECONNABORTED`, or `ETIMEDOUT` with `clarifyTimeoutError`), for time spent held. */
export async function timedOut(ctx: PluginContext, config: InternalAxiosRequestConfig, timeout: number | undefined): Promise<Error> {
  ctx.axiosError ??= await axiosErrorOf(ctx);
  const clarify = (config.transitional as { clarifyTimeoutError?: boolean } | undefined)?.clarifyTimeoutError;
  const message = config.timeoutErrorMessage || `timeout of ${timeout ?? config.timeout}ms exceeded`;
  return redactAxiosError(ctx.axiosError(message, clarify ? 'ETIMEDOUT' : 'ECONNABORTED', config));
}

/** Waits for `work` on behalf of a request: its signal aborting gives axios' CanceledError, its timeout axios' timeout error. */
export async function onBehalfOf<T>(
  ctx: PluginContext,
  config: InternalAxiosRequestConfig,
  state: RequestState,
  work: (wait: Patience) => Promise<T>,
): Promise<T> {
  const cancel = cancellationOf(config);
  try {
    return await work({ signal: cancel.signal, deadline: state.deadline });
  } catch (error) {
    if (error === CANCELED) return cancelled(ctx, config);
    if (error === TIMED_OUT) throw await timedOut(ctx, config, state.timeout);
    throw error;
  } finally {
    cancel.dispose();
  }
}

/** What is left of the request's own timeout, for the next send (the message keeps the figure the caller set). */
function remainingTimeout(config: Record<string, unknown>, state: RequestState): void {
  if (state.deadline === undefined) return;
  config.timeout = Math.max(1, state.deadline - Date.now());
  config.timeoutErrorMessage ??= `timeout of ${state.timeout}ms exceeded`;
}

/**
 * Sends the already-serialized request again (`token` replaces the one it carried). An HTTP answer,
 * even an error status, or a network failure is an outcome to look at; a cancel is final.
 */
export async function sendAgain(
  ctx: PluginContext,
  config: InternalAxiosRequestConfig,
  token: string | undefined,
  state: RequestState,
  reason: ReplayReason,
): Promise<Outcome> {
  if (state.deadline !== undefined && Date.now() >= state.deadline) throw await timedOut(ctx, config, state.timeout);
  // One refresh releases every replay at once: they leave a slice per turn.
  const { turn, now } = await leaveInTurn(ctx, { token, generation: state.generation });
  // Checked here, with nothing left to await before the send: a replay is never sent with a fresh timer.
  if (ranOut(state.deadline)) throw (answered(turn), await timedOut(ctx, config, state.timeout));
  token = now.token;
  state = { ...state, generation: now.generation };
  // resend_count as OpenTelemetry counts it: every send after the first, whatever the reason.
  publishReplay(() => ({
    operation: operationNameOf(config),
    resendCount: state.replays + state.waits + state.retried,
    reason,
    generation: state.generation,
    method: config.method,
  }));
  const headers = plainHeaders(config.headers, config.method);
  deleteHeader(headers, 'Content-Length');
  // axios-retry retries what is left of `retry.retries` on the plugin's retry client — unless the
  // user's own axios-retry saw the request: it alone decides, and gets its own state back (retry.ts).
  const users = userRetryOf(config);
  const retries = users === undefined && ctx.opts.retry ? ctx.opts.retry.retries : 0;
  const next: Record<string, unknown> = copyConfig(config as unknown as Record<string, unknown>, {
    headers,
    transformRequest: [identity],
    adapter: lastLookAdapter(ctx, config.adapter),
    [STATE_KEY]: { ...state, turn },
    [RETRY_KEY]: { retries, retryCount: state.retried },
  });
  if (token) setBearer(next, token);
  remainingTimeout(next, state);
  // With no retry left (axios-retry stops once its count reaches `retries`), it has nothing to do:
  // the plain private client spares its interceptors.
  const client = retries > state.retried ? ctx.retrier : ctx.client;
  try {
    return { response: handBack(ctx, users, (await client.request(next as AxiosRequestConfig)) as AxiosResponse) };
  } catch (error) {
    if (!isAxiosError(error) || isCanceled(error)) throw redactAxiosError(handBack(ctx, users, error));
    return { error: handBack(ctx, users, error) };
  } finally {
    answered(turn);
  }
}

/** The outcome of a resend, its config as the user's interceptors expect it: the retries axios-retry made counted, the user's axios-retry state back. */
function handBack<T>(ctx: PluginContext, users: unknown, outcome: T): T {
  const config = (outcome as { config?: Record<string, unknown> } | undefined)?.config;
  if (!config || typeof config !== 'object') return outcome;
  const state = stateOf(ctx, config);
  const retried = retriesOn(config);
  if (state && retried !== undefined) state.retried = Math.max(state.retried, retried);
  if (users === undefined) delete config[RETRY_KEY];
  else config[RETRY_KEY] = users;
  return outcome;
}

/** Before axios-retry sends a query again (retry.ts): never past its own timeout, after the gate, with the newest token. */
export async function beforeRetry(ctx: PluginContext, retryCount: number, error: AxiosError, config: AxiosRequestConfig): Promise<void> {
  const state = stateOf(ctx, config);
  if (!state) return;
  if (ranOut(state.deadline)) throw await timedOut(ctx, config as InternalAxiosRequestConfig, state.timeout);
  ctx.log('transient failure; sending again', { attempt: retryCount, status: error.response?.status, code: error.code });
  if (state.generation > 0) {
    const now = await onBehalfOf(ctx, config as InternalAxiosRequestConfig, state, (wait) => ctx.session.admitted(wait));
    if (now.token) setBearer(config, now.token);
    else deleteHeader(config.headers, 'Authorization');
    state.generation = now.generation;
  }
  publishReplay(() => ({
    operation: operationNameOf(config),
    resendCount: state.replays + state.waits + retryCount,
    reason: 'transient',
    generation: state.generation,
    method: config.method,
  }));
}

/** True once a request's own timeout has run out (`deadline`, epoch ms): it must not be sent any more. */
export const ranOut = (deadline: number | undefined) => deadline !== undefined && Date.now() >= deadline;

/**
 * Waits for a turn to leave in (util/turns.ts). A request granted a token that had to wait reads the
 * tokens again: a logout meanwhile sends it without a token, a session ended meanwhile rejects it
 * with `SessionExpiredError` (its place is given back), a newer token replaces the old. A request
 * granted none (sent without a token on purpose) stays without. The caller checks {@link ranOut}
 * after it: a request whose timeout ran out while it waited is not sent with a fresh timer.
 */
export async function leaveInTurn(ctx: PluginContext, granted: RequestTokens): Promise<{ turn: number; now: RequestTokens }> {
  const before = thisTurn();
  const turn = await aTurn();
  if (turn === before || granted.token === undefined) return { turn, now: granted };
  try {
    const now = await ctx.session.latest();
    return { turn, now: !now.token || now.generation > granted.generation ? now : granted };
  } catch (error) {
    answered(turn);
    throw error;
  }
}

/** `config.timeout` shortened by the time the request was held (request interceptor). */
export function afterHold(config: InternalAxiosRequestConfig, state: RequestState): void {
  if (state.deadline !== undefined && state.deadline - Date.now() < (state.timeout ?? 0)) remainingTimeout(config as never, state);
}
