import axios, { type AxiosRequestConfig, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { deleteHeader, setBearer } from '../util/headers';
import { copyConfig } from '../util/own-properties';
import { isAxiosError } from '../util/redact';
import { type PluginContext, stateOf } from './request-state';
import { ranOut, timedOut } from './send';

// The adapters the plugin puts on its requests, around the one each request had: the paced adapter
// (admission.ts) and the resends' last look at the tokens (below). Both end in `transport`.

export const ORIGINAL = 'axios-graphql-refresh:adapter';
export type Adapter = ((config: InternalAxiosRequestConfig) => Promise<AxiosResponse>) & { [ORIGINAL]?: unknown };

type GetAdapter = (adapters: unknown, config?: unknown) => Adapter;

/**
 * axios' own resolution of adapter names (`axios.getAdapter`, 1.5+), when the user's instance was
 * made by the copy of axios this package resolves (the same InterceptorManager class: one copy, as
 * a peer dependency usually is); `null` otherwise (another copy, an older axios: names go through
 * the private client, a second pass through axios that costs about as much as the request itself).
 */
function resolverOf(ctx: PluginContext): GetAdapter | null {
  if (ctx.getAdapter !== undefined) return ctx.getAdapter;
  const own = axios as unknown as { getAdapter?: GetAdapter; interceptors?: { request?: object } };
  const same = own.interceptors?.request?.constructor === ctx.instance.interceptors.request.constructor;
  ctx.getAdapter = same && typeof own.getAdapter === 'function' ? own.getAdapter : null;
  return ctx.getAdapter;
}

/**
 * Sends with the adapter the request had, as axios' dispatch would: a function is called; names
 * (axios 1.x: `'xhr'`, the default `['xhr', 'http', 'fetch']`) are resolved by axios; none (a
 * resend's config may have lost it) means the instance's own, through the private client.
 */
export function transport(ctx: PluginContext, config: InternalAxiosRequestConfig, original: unknown): Promise<AxiosResponse> {
  if (typeof original === 'function') return (original as Adapter)(config);
  const names = typeof original === 'string' || Array.isArray(original);
  const resolve = names && resolverOf(ctx);
  if (resolve) return resolve(original, config)(config);
  const raw = copyConfig(config, { adapter: original, transformRequest: [(d: unknown) => d], transformResponse: [(d: unknown) => d] });
  return ctx.client.request(raw as AxiosRequestConfig).then(
    (response) => Object.assign(response, { config }),
    (error: unknown) => {
      if (isAxiosError(error))
        Object.assign(error, { config }, error.response ? { response: Object.assign(error.response, { config }) } : {});
      throw error;
    },
  );
}

const LOOKED = 'axios-graphql-refresh:last-look';

/**
 * The adapter of the plugin's resends (send.ts): a last look at the tokens, in the same turn as the
 * send — on the retry client axios-retry's interceptors run first, a few microtasks in which a
 * logout or a newer token may come (docs/how-it-works.md, "herds": never a replay with a token
 * dropped), and a long task may run past the request's own timeout (never handed over after it ran out).
 */
export function lastLookAdapter(ctx: PluginContext, adapter: unknown): Adapter {
  const inner = ((adapter as Adapter | undefined)?.[LOOKED as typeof ORIGINAL] as Adapter | undefined) ?? adapter;
  const look: Adapter = async (config) => {
    const state = stateOf(ctx, config);
    if (state && ranOut(state.deadline)) throw await timedOut(ctx, config, state.timeout);
    if (state && !state.passive && state.generation > 0) {
      const now = ctx.session.current();
      if (!now.token) deleteHeader(config.headers, 'Authorization');
      else if (now.generation > state.generation) setBearer(config, now.token);
    }
    return transport(ctx, config, inner);
  };
  (look as unknown as Record<string, unknown>)[LOOKED] = inner;
  return look;
}
