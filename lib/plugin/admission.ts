import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { operationNameOf, publishRateLimited } from '../diagnostics';
import { rateLimitOf } from '../policy/detect';
import { connectionBound, onProtocolsLearned } from '../transport/connections';
import { parseBody } from '../util/body';
import { CANCELED, cancellationOf, TIMED_OUT } from '../util/cancel';
import { deleteHeader, getHeader, setBearer } from '../util/headers';
import { isAxiosError } from '../util/redact';
import { type Adapter, ORIGINAL, transport } from './adapters';
import { createPacer, type Pacer } from './pacing';
import { type PluginContext, plainlyFine, type RequestState, stateOf } from './request-state';
import { afterHold, cancelled, timedOut } from './send';

// The paced adapter (docs/rate-limits.md, "pacing"; docs/how-it-works.md, "admission"): a paced
// attachment's requests reach the transport through their attachment's admission queue
// (plugin/pacing.ts), and what the answer says is acted on before the place is given back — a
// rate-limit decline pauses the gate, `X-RateLimit-Remaining` narrows the budget, an auth error
// starts the refresh — so that the next request admitted already knows.

/** Waits longer than this are announced (logger, `rate-limited` event, `stats.paced`). */
const ANNOUNCE_MS = 1_000;

const Infinite = Number.POSITIVE_INFINITY;

/**
 * The attachment's admission queue when its requests are paced — `rateLimit`, an agent with a
 * bounded `maxSockets`, a browser (transport/connections.ts) — made on first use; `undefined` otherwise (the common case costs two reads).
 */
export function pacerOf(ctx: PluginContext): Pacer | undefined {
  const limit = ctx.opts.rateLimit;
  const sockets = connectionBound(ctx.instance, ctx.opts.url, limit ? limit.concurrency !== undefined : false, (ctx.connections ??= {}));
  if (!limit && sockets === Infinite && !ctx.pacer) return undefined;
  const concurrency = Math.min(limit ? (limit.concurrency ?? Infinite) : Infinite, sockets);
  if (!ctx.pacer) ctx.pacer = createPacerOf(ctx, concurrency);
  else ctx.pacer.setConcurrency(concurrency);
  return ctx.pacer;
}

/** The attachment's pacer; in a browser it asks for its bound again whenever the page's protocols change (a burst waiting for HTTP/1.1 places goes at once on HTTP/2). */
function createPacerOf(ctx: PluginContext, concurrency: number): Pacer {
  const limit = ctx.opts.rateLimit;
  if (limit && limit.intervalCap !== undefined && limit.intervalCap !== Infinite && limit.interval)
    ctx.budget = ctx.session.budget('requests', limit.intervalCap, limit.interval);
  const pacer = createPacer({ concurrency, gate: ctx.session.gate, budget: ctx.budget });
  if (ctx.connections?.learned === undefined) return pacer; // not a browser: nothing to learn
  // Held weakly: an instance dropped without detach is not kept alive by the page's listeners.
  const ref = new WeakRef(ctx);
  const stop = onProtocolsLearned(() => {
    const alive = ref.deref();
    if (alive) pacerOf(alive);
    else stop();
  });
  const dispose = pacer.dispose;
  pacer.dispose = () => (stop(), dispose());
  return pacer;
}

const numberOf = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? Number(value) : Number.NaN);

/** `X-RateLimit-Reset`: epoch seconds (GitHub, NextSchool), or seconds from now when small (the IETF draft). */
function resetAtOf(value: unknown, now: number): number | undefined {
  const n = numberOf(value);
  if (!Number.isFinite(n) || n < 0) return undefined;
  return n > 1e9 ? n * 1000 : now + n * 1000;
}

/**
 * What the answer tells, acted on before the request gives its place back (so the next one admitted
 * knows): the server's remaining budget, a decline (the gate pauses for the wait asked, capped by
 * `maxRateLimitDelayMs`), an auth error on the newest token (the refresh starts, the gate is held).
 */
function observe(
  ctx: PluginContext,
  config: InternalAxiosRequestConfig,
  state: RequestState | undefined,
  response: AxiosResponse | undefined,
): void {
  if (!response || typeof response !== 'object') return;
  const now = Date.now();
  const remaining = numberOf(getHeader(response.headers, 'x-ratelimit-remaining'));
  const resetAt = resetAtOf(getHeader(response.headers, 'x-ratelimit-reset'), now);
  const budget = ctx.budget;
  if (budget && Number.isFinite(remaining) && resetAt !== undefined)
    budget.learn(remaining, Math.min(resetAt, now + ctx.opts.maxRateLimitDelayMs));
  if (plainlyFine(ctx, response)) return; // the common answer: nothing to act on
  const limited = rateLimitOf(response);
  if (limited) {
    if (limited.delayMs <= ctx.opts.maxRateLimitDelayMs) ctx.session.pauseFor(limited.delayMs);
    return;
  }
  if (!state || state.passive || state.replays >= ctx.opts.maxReplays) return;
  const view = ctx.opts.isAuthError && typeof response.data === 'string' ? { ...response, data: parseBody(response.data) } : response;
  if (ctx.isAuthError(view)) ctx.session.refreshSoon(state.generation, config);
}

/**
 * A request about to wait `delayMs` for a rate limit is announced if that is about a second or more
 * — once per request, however many places it waits (the gate, then admission): the logger, the
 * `rate-limited` event (`reason: 'paced'`), `stats.paced` (docs/rate-limits.md, "watching waits").
 */
export function announceWait(ctx: PluginContext, config: InternalAxiosRequestConfig, delayMs: number, waiting?: number): void {
  if (delayMs < ANNOUNCE_MS || ctx.announced.has(config)) return;
  ctx.announced.add(config);
  ctx.stats.paced++;
  const state = stateOf(ctx, config);
  ctx.log('request waits for the rate limit', { delayMs: Math.round(delayMs), waiting, url: config.url });
  publishRateLimited(() => ({
    operation: operationNameOf(config),
    reason: 'paced',
    delayMs: Math.round(delayMs),
    attempt: (state?.waits ?? 0) + 1,
    waiting,
  }));
}

/** The request's signal, or, when its own timeout must also end the wait, one that aborts then too (`outOfTime()` tells which). */
function waitSignal(config: InternalAxiosRequestConfig, deadline: number | undefined) {
  const cancel = cancellationOf(config);
  if (deadline === undefined) return { signal: cancel.signal, outOfTime: () => false, dispose: cancel.dispose };
  const controller = new AbortController();
  const abort = () => controller.abort();
  let late = false;
  cancel.signal?.addEventListener('abort', abort, { once: true });
  if (cancel.signal?.aborted) abort();
  const timer = setTimeout(() => ((late = true), abort()), Math.max(0, deadline - Date.now()));
  return {
    signal: controller.signal,
    outOfTime: () => late,
    dispose() {
      clearTimeout(timer);
      cancel.signal?.removeEventListener('abort', abort);
      cancel.dispose();
    },
  };
}

/** Sends and observes the answer before the place is given back. */
async function sendObserved(
  ctx: PluginContext,
  config: InternalAxiosRequestConfig,
  state: RequestState | undefined,
  original: unknown,
): Promise<AxiosResponse> {
  try {
    const response = await transport(ctx, config, original);
    observe(ctx, config, state, response);
    return response;
  } catch (error) {
    observe(ctx, config, state, isAxiosError(error) ? error.response : undefined);
    throw error;
  }
}

/**
 * One paced send: admitted, then sent with the newest token, the answer observed before the place
 * is given back. A request admitted at once, with the gate open, goes with the token the request
 * interceptor just gave it; one that waited reads the tokens again (docs/benchmarks.md, per-request CPU).
 */
async function admit(ctx: PluginContext, config: InternalAxiosRequestConfig, original: unknown): Promise<AxiosResponse> {
  const pacer = pacerOf(ctx)!;
  const state = stateOf(ctx, config);
  const wait = waitSignal(config, state?.deadline);
  if (ctx.budget || !pacer.idle()) announceWait(ctx, config, pacer.expectedWait(), pacer.waiting + 1);
  let atOnce = true;
  try {
    const sent = pacer.run(
      async () => {
        if (state) afterHold(config, state); // the wait counts against the request's own timeout
        if (state && !state.passive && (!atOnce || ctx.session.gate.held)) {
          // Tokens may have changed while it waited: the newest, or none after a logout (never the old one).
          const now = await ctx.session.admitted({ signal: wait.signal, deadline: state.deadline });
          if (!now.token) deleteHeader(config.headers, 'Authorization');
          else if (now.generation > state.generation) setBearer(config, now.token);
          state.generation = now.generation;
        }
        return sendObserved(ctx, config, state, original);
      },
      { priority: state && state.replays + state.waits + state.retried > 0 ? 1 : 0, signal: wait.signal },
    );
    atOnce = false;
    return await sent;
  } catch (error) {
    if (error === TIMED_OUT || (error === CANCELED && wait.outOfTime())) throw await timedOut(ctx, config, state?.timeout);
    if (error === CANCELED) return cancelled(ctx, config);
    throw error;
  } finally {
    wait.dispose();
  }
}

/**
 * The adapter of a paced request (set by the request interceptor; copied onto its replays and
 * retries, so they are paced too). Every way a request can end before it is sent (a cancel, a
 * throwing transform) never takes a place, since none of them reach an adapter.
 */
export function pacedAdapter(ctx: PluginContext, adapter: unknown): Adapter {
  const original = (adapter as Adapter | undefined)?.[ORIGINAL] ?? adapter;
  const paced: Adapter = (config) => admit(ctx, config, original);
  paced[ORIGINAL] = original;
  return paced;
}
