import type { InternalAxiosRequestConfig } from 'axios';
import { operationNameOf, publishHeld } from '../diagnostics';
import { CANCELED, cancellationOf, TIMED_OUT } from '../util/cancel';
import { setBearer } from '../util/headers';
import { answered, aTurn, mayGoNow, thisTurn } from '../util/turns';
import { announceWait, pacedAdapter, pacerOf } from './admission';
import { type AxiosCopy, pushesInOrder } from './axios-copy';
import { giveLast } from './interceptor-order';
import { type PluginContext, type RequestState, STATE_KEY, stamp, stateOf } from './request-state';
import { afterHold, leaveInTurn, ranOut, timedOut } from './send';

const timeoutOf = (config: InternalAxiosRequestConfig) =>
  typeof config.timeout === 'number' && config.timeout > 0 ? config.timeout : undefined;

// The request interceptor: attaches the newest token to requests bound for the API's origin,
// holds them at the gate while a refresh runs (a request held for a flight shares its outcome),
// refreshes an expired token before sending, and stamps the request with the token's generation
// (docs/how-it-works.md). Time spent held counts against the request's own `timeout`. It runs after
// every request interceptor of the user's, whenever they were registered (interceptor-order.ts).

type Handlers = { handlers?: Array<{ fulfilled?: unknown } | null> };

/** Another attachment on this instance took a place for this request in this turn: one request, one place. */
function placeOfAnother(ctx: PluginContext, config: InternalAxiosRequestConfig): number | undefined {
  const other = (config as unknown as Record<string, RequestState | undefined>)[STATE_KEY];
  return other && other.owner !== ctx.owner && other.turn === thisTurn() ? other.turn : undefined;
}

/**
 * The common case, done in place: a valid token in a synchronous store is attached, with the request's state.
 * False when the slow path must run — also when the request's own timeout ran out while it waited for its turn
 * (`since`: when the plugin took it in), so that it is never sent with a fresh timer.
 */
function attachFast(ctx: PluginContext, config: InternalAxiosRequestConfig, turn: number, since?: number): boolean {
  if (config.skipAuthRefresh) return false;
  const timeout = timeoutOf(config);
  const deadline = timeout === undefined ? undefined : (since ?? Date.now()) + timeout;
  if (since !== undefined && ranOut(deadline)) return false;
  const fast = ctx.session.fastTokens();
  if (!fast?.token) return false;
  const prior = stateOf(ctx, config);
  setBearer(config, fast.token);
  // Built whole, without spreads: this runs on every request (docs/benchmarks.md, per-request CPU).
  stamp(config, {
    owner: ctx.owner,
    generation: fast.generation,
    replays: prior ? prior.replays : 0,
    waits: prior ? prior.waits : 0,
    retried: prior ? prior.retried : 0,
    passive: false,
    timeout,
    deadline,
    turn,
  });
  if (since !== undefined) afterHold(config, stateOf(ctx, config)!); // what is left of its timeout after the wait for a turn
  if (pacerOf(ctx)) config.adapter = pacedAdapter(ctx, config.adapter) as InternalAxiosRequestConfig['adapter'];
  return true;
}

/** Counts a request held at the gate for a flight, once, and notes when its wait began (for the `held` event). */
const onQueued = (ctx: PluginContext, config: InternalAxiosRequestConfig, held: { since?: number }) => () => {
  held.since = Date.now();
  ctx.stats.queued++;
  ctx.log('request held while a refresh runs', { url: config.url });
};

export function createRequestInterceptor(ctx: PluginContext, copy: AxiosCopy) {
  /** Until the probe answers, and on axios copies where a synchronous failure would skip our response interceptor, the interceptor always runs. */
  let mayRunInRunWhen = false;
  void copy.syncFailuresReachInterceptors.then(
    (ok) => (mayRunInRunWhen = ok),
    () => {},
  );
  const manager = ctx.instance.interceptors.request as unknown as Handlers;
  /** Requests `runWhen` took a place for (util/turns.ts) and found the fast path closed: the interceptor goes straight to the slow path. */
  const closed = new WeakMap<object, number>();
  /** Requests `runWhen` found over this turn's share: the interceptor waits for a later turn. */
  const waiting = new WeakSet<object>();
  /** When `runWhen` took in a request with a `timeout` that the interceptor finishes: its timeout counts from then. */
  const takenAt = new WeakMap<object, number>();
  const noteTaken = (config: InternalAxiosRequestConfig) => {
    if (timeoutOf(config) !== undefined) takenAt.set(config, Date.now());
  };

  const isOurs = (config: InternalAxiosRequestConfig) => !config.skipAuth && ctx.shouldAttachToken(config);

  const proceed = (config: InternalAxiosRequestConfig, turn: number, since?: number) =>
    attachFast(ctx, config, turn, since) ? config : slowPath(ctx, config, turn, since);

  /** Not async: with a valid token in a synchronous store, the request goes on without a microtask of ours. */
  function onRequest(config: InternalAxiosRequestConfig): InternalAxiosRequestConfig | Promise<InternalAxiosRequestConfig> {
    if (!isOurs(config)) return config;
    // The request's own timeout counts from the moment the plugin took it in, a wait for a turn included.
    const since = takenAt.get(config) ?? (timeoutOf(config) === undefined ? undefined : Date.now());
    const taken = closed.get(config);
    if (taken !== undefined) {
      closed.delete(config);
      return slowPath(ctx, config, taken, since);
    }
    const turn = waiting.delete(config) ? undefined : (placeOfAnother(ctx, config) ?? mayGoNow());
    return turn === undefined ? aTurn().then((later) => proceed(config, later, since)) : proceed(config, turn, since);
  }

  /** Where axios pushes instead of unshifting, ours is given again at the end (interceptor-order.ts), so it still runs last. */
  const late = { fulfilled: onRequest, rejected: undefined, synchronous: false, runWhen: decide };

  /** axios' `runWhen` for our interceptor: evaluated before any request interceptor runs. */
  function runWhen(config: InternalAxiosRequestConfig): boolean {
    if (copy.honoursPushOrder && pushesInOrder(config) && giveLast(manager, late)) return false;
    return decide(config);
  }

  function decide(config: InternalAxiosRequestConfig): boolean {
    try {
      return interceptorMustRun(config);
    } catch {
      return true; // a throwing store or `shouldAttachToken`: the interceptor runs and rejects the request (axios 0.27 would throw from post() itself)
    }
  }

  /**
   * When ours is the only request interceptor, the fast path is done here and the interceptor
   * skipped, so axios sends the request synchronously, without the promise chain interceptors
   * otherwise cost (docs/benchmarks.md, per-request overhead). Otherwise the interceptor does it,
   * after the user's interceptors: what they change (URL, `skipAuth`) is not known yet here.
   */
  function interceptorMustRun(config: InternalAxiosRequestConfig): boolean {
    if (!mayRunInRunWhen || !alone()) return true;
    if (!isOurs(config)) return false;
    const turn = mayGoNow();
    if (turn === undefined) {
      waiting.add(config);
      noteTaken(config);
      return true;
    }
    if (attachFast(ctx, config, turn)) return false;
    closed.set(config, turn);
    noteTaken(config);
    return true;
  }

  /** No request interceptor but ours is registered (another attachment's counts too: one of the two runs before the other). */
  function alone(): boolean {
    const handlers = manager.handlers;
    if (!Array.isArray(handlers)) return false;
    for (let i = 0; i < handlers.length; i++) if (handlers[i] && handlers[i]!.fulfilled !== onRequest) return false;
    return true;
  }

  return { onRequest, runWhen };
}

/** Everything else: waits at the gate, refreshes, logs in. `entry` is the place taken on the way in, given back while it waits. */
async function slowPath(
  ctx: PluginContext,
  config: InternalAxiosRequestConfig,
  entry: number,
  since = Date.now(),
): Promise<InternalAxiosRequestConfig> {
  answered(entry);
  const timeout = timeoutOf(config);
  const prior = stateOf(ctx, config);
  const counts = { owner: ctx.owner, replays: prior?.replays ?? 0, waits: prior?.waits ?? 0, retried: prior?.retried ?? 0 };
  const deadline = timeout === undefined ? undefined : since + timeout;
  if (config.skipAuthRefresh) {
    const turn = await aTurn(); // it carries the token too: sliced like the others
    if (ranOut(deadline)) throw (answered(turn), await timedOut(ctx, config, timeout));
    const tokens = await ctx.session.read();
    if (tokens?.accessToken) setBearer(config, tokens.accessToken);
    stamp(config, { generation: 0, ...counts, passive: true, turn });
    return config;
  }
  if (pacerOf(ctx)) config.adapter = pacedAdapter(ctx, config.adapter) as InternalAxiosRequestConfig['adapter'];
  announceWait(ctx, config, ctx.session.gate.pausedFor(), ctx.session.pausedWaiters() + 1); // a long rate-limit pause at the gate
  const cancel = cancellationOf(config);
  try {
    const held: { since?: number } = {};
    const granted = await ctx.session.forRequest({ signal: cancel.signal, deadline }, onQueued(ctx, config, held), config);
    // A refresh releases everyone it held at once: they leave a slice per turn.
    const { turn, now } = await leaveInTurn(ctx, granted);
    if (ranOut(deadline)) throw (answered(turn), TIMED_OUT);
    const { token, generation } = now;
    if (held.since !== undefined)
      publishHeld(() => ({ operation: operationNameOf(config), durationMs: Date.now() - held.since!, generation }));
    if (token) setBearer(config, token);
    const state = { generation, ...counts, passive: false, timeout, deadline, turn };
    stamp(config, state);
    afterHold(config, state);
    return config;
  } catch (error) {
    // Given up while waiting: axios itself rejects with its CanceledError, since the signal is aborted.
    if (error === CANCELED) return config;
    if (error === TIMED_OUT) throw await timedOut(ctx, config, timeout);
    throw error;
  } finally {
    cancel.dispose();
  }
}
