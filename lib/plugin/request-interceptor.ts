import type { InternalAxiosRequestConfig } from 'axios';
import { CANCELED, TIMED_OUT, cancellationOf } from '../util/cancel';
import { operationNameOf, publishHeld } from '../diagnostics';
import { setHeader } from '../util/headers';
import { stamp, stateOf, type PluginContext, type RequestState } from './request-state';
import { afterHold, pacedAdapter, timedOut } from './send';

// The request interceptor: attaches the newest token to requests bound for the API's origin,
// holds them at the gate while a refresh runs (a request held for a flight shares its outcome),
// refreshes an expired token before sending, and stamps the request with the token's generation
// (docs/how-it-works.md). Time spent held counts against the request's own `timeout`.

export function createRequestInterceptor(ctx: PluginContext) {
  const onQueued = (config: InternalAxiosRequestConfig, held: { since?: number }) => () => {
    held.since = Date.now();
    ctx.stats.queued++;
    ctx.log('request held while a refresh runs', { url: config.url });
  };

  /** Not async: with a valid token in a synchronous store, the request goes on without a microtask of ours. */
  return function onRequest(config: InternalAxiosRequestConfig): InternalAxiosRequestConfig | Promise<InternalAxiosRequestConfig> {
    if (config.skipAuth || !ctx.shouldAttachToken(config)) return config;
    const prior = stateOf(ctx, config);
    const timeout = typeof config.timeout === 'number' && config.timeout > 0 ? config.timeout : undefined;
    const counts = { replays: prior?.replays ?? 0, waits: prior?.waits ?? 0, retried: prior?.retried ?? 0 };
    const fast = config.skipAuthRefresh || ctx.pacer ? undefined : ctx.session.fastTokens();
    if (fast?.token) {
      setHeader(config, 'Authorization', `Bearer ${fast.token}`);
      stamp(ctx, config, { generation: fast.generation, ...counts, passive: false, timeout, deadline: timeout === undefined ? undefined : Date.now() + timeout });
      return config;
    }
    return slowPath(config, timeout, counts);
  };

  async function slowPath(config: InternalAxiosRequestConfig, timeout: number | undefined, counts: Pick<RequestState, 'replays' | 'waits' | 'retried'>): Promise<InternalAxiosRequestConfig> {
    if (config.skipAuthRefresh) {
      const tokens = await ctx.session.read();
      if (tokens?.accessToken) setHeader(config, 'Authorization', `Bearer ${tokens.accessToken}`);
      stamp(ctx, config, { generation: 0, ...counts, passive: true });
      return config;
    }
    if (ctx.pacer) config.adapter = pacedAdapter(ctx, config.adapter) as InternalAxiosRequestConfig['adapter'];
    const deadline = timeout === undefined ? undefined : Date.now() + timeout;
    const cancel = cancellationOf(config);
    try {
      const held: { since?: number } = {};
      const { token, generation } = await ctx.session.forRequest({ signal: cancel.signal, deadline }, onQueued(config, held), config);
      if (held.since !== undefined) publishHeld(() => ({ operation: operationNameOf(config), durationMs: Date.now() - held.since!, generation }));
      if (token) setHeader(config, 'Authorization', `Bearer ${token}`);
      const state = { generation, ...counts, passive: false, timeout, deadline };
      stamp(ctx, config, state);
      afterHold(config, { owner: ctx.owner, ...state });
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
}
