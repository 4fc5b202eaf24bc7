import type { AxiosInstance, AxiosRequestConfig, AxiosResponse } from 'axios';
import { fullUrlOf, fullUrlsOf } from '../policy/origin';
import { identity, parseBody } from '../util/body';
import { deleteHeader, getHeader, plainHeaders } from '../util/headers';
import { holdDeadReads } from './held-reads';
import { createOwnAgents } from './own-connection';
import { withXsrfNow } from './xsrf-now';

// The plugin's own requests (refresh, login, replays) go through a private client made from the
// user's instance: same axios copy and transport, none of its interceptors (docs/how-it-works.md, "The
// path of a request", step 4). Its default headers are emptied so that a static `Authorization` default on the
// user's instance can never ride along on a refresh.

export interface PrivateClient extends Pick<AxiosInstance, 'request'> {
  /** The agent the refresh and the login use in place of `agent`, the user's: one of their own when its bounded pool is full (own-connection.ts). */
  ownAgent?: (agent: unknown) => unknown;
}

/** An interceptor-free axios instance made from `instance` (axios ≥ 0.22 gives every instance `create`), its default headers emptied. */
export function createBareInstance(instance: AxiosInstance): AxiosInstance {
  const create = (instance as AxiosInstance & { create?: (config?: AxiosRequestConfig) => AxiosInstance }).create;
  if (typeof create !== 'function') {
    // The same words as the refusal at attach (plugin/axios-copy.ts): createNextSchoolClient gets here first.
    throw new TypeError(
      'Expected `instance` to be made by axios 0.22 or newer (AbortSignal, instances with create()), got an instance without `create()` (axios 0.21 or older) (docs/getting-started.md)',
    );
  }
  const client = create.call(instance, {});
  (client.defaults as { headers: unknown }).headers = {};
  return client;
}

/** Creates the client of the refresh and the login from `instance`: interceptor-free, with agents of its own for a full pool. */
export function createPrivateClient(instance: AxiosInstance): PrivateClient {
  return { request: createBareInstance(instance).request, ownAgent: createOwnAgents() };
}

const TRANSPORT_KEYS = [
  'baseURL',
  'adapter',
  'httpAgent',
  'httpsAgent',
  'proxy',
  'timeout',
  'maxRedirects',
  'withCredentials',
  'withXSRFToken',
  'xsrfCookieName',
  'xsrfHeaderName',
  'maxContentLength',
  'maxBodyLength',
  'fetchOptions',
  'env',
  'lookup',
  'family',
] as const;

/** The instance's transport defaults, and its default headers minus `Authorization`. */
export function transportDefaults(instance: AxiosInstance): AxiosRequestConfig {
  const defaults = instance.defaults as Record<string, unknown>;
  const config: Record<string, unknown> = {};
  for (const key of TRANSPORT_KEYS) if (defaults[key] !== undefined) config[key] = defaults[key];
  const headers = plainHeaders(defaults.headers, 'post');
  deleteHeader(headers, 'Authorization');
  config.headers = headers;
  return config as AxiosRequestConfig;
}

export interface PostResult {
  status: number;
  /** The parsed JSON body, or `undefined` when the body was not JSON. */
  body: unknown;
  response: AxiosResponse;
  /** The absolute URL posted to (for messages). */
  url: string;
  /** Set when the answer is a redirect, never followed (or, with XHR, which follows on its own, one that came from another origin): where it points, when known. */
  redirect?: { to?: string };
}

function resolve(url: string, base?: string): URL | undefined {
  try {
    return new URL(url, base);
  } catch {
    return undefined;
  }
}

/**
 * Whether `response` is a redirect. The http adapter (maxRedirects 0) and fetch (`redirect:
 * 'manual'`) hand a 3xx back, or in a browser an opaque one (status 0); XHR follows redirects by
 * itself, so an answer from another origin (`responseURL`) counts as one too.
 */
function redirectOf(response: AxiosResponse, url: string): PostResult['redirect'] {
  const { status } = response;
  if (status >= 300 && status < 400) {
    const location = getHeader(response.headers, 'location');
    return { to: typeof location === 'string' ? resolve(location, url)?.href : undefined };
  }
  if (status === 0) return {};
  const final = (response.request as { responseURL?: unknown } | undefined)?.responseURL;
  if (
    typeof final === 'string' &&
    final &&
    resolve(final)?.origin !== resolve(url, (globalThis as { location?: { href?: string } }).location?.href)?.origin
  ) {
    return { to: final };
  }
  return undefined;
}

/**
 * POSTs a GraphQL body with the instance's transport. Resolves for every HTTP status; rejects only
 * when no answer arrived (network error, timeout, abort). Bodies are parsed here, not by the
 * instance's transforms, so a user's `transformResponse` cannot break the plugin's own calls.
 *
 * Redirects are never followed: the bodies posted here hold secrets (a refresh token, a password),
 * which a 307/308 would post again wherever it points (docs/errors.md, "transient or permanent").
 */
export async function postGraphQL(client: PrivateClient, instance: AxiosInstance, request: TokenRequest): Promise<PostResult> {
  const base = transportDefaults(instance);
  const own = client.ownAgent;
  // Never behind the herd: a connection of its own when the pool is full (own-connection.ts).
  const agents = own ? { httpAgent: own(base.httpAgent), httpsAgent: own(base.httpsAgent) } : {};
  // Nor read after the answers the herd's dead requests get (held-reads.ts).
  const release = request.deadBearer ? holdDeadReads(base, agents, request.deadBearer) : undefined;
  // Sent at once in a page too, not after the answers already there (xsrf-now.ts); judged on every
  // URL axios may join for it, `allowAbsoluteUrls: false` included.
  const urls = fullUrlsOf({ baseURL: base.baseURL, url: request.url, allowAbsoluteUrls: false }) ?? [];
  let response: AxiosResponse;
  try {
    response = await client.request(withXsrfNow(tokenRequestConfig(base, agents, request), urls));
  } finally {
    release?.();
  }
  const body = parseBody(response.data);
  const url = fullUrlOf({ baseURL: base.baseURL, url: request.url });
  return { status: response.status, body: typeof body === 'string' ? undefined : body, response, url, redirect: redirectOf(response, url) };
}

/** What {@link postGraphQL} sends; `deadBearer`: the `Authorization` of the requests whose answers said the token is dead. */
export interface TokenRequest {
  url: string;
  body: object;
  signal: AbortSignal;
  timeoutMs: number;
  deadBearer?: string;
}

function tokenRequestConfig(base: AxiosRequestConfig, agents: object, request: TokenRequest): AxiosRequestConfig {
  const timeout = base.timeout && base.timeout > 0 ? Math.min(base.timeout, request.timeoutMs) : request.timeoutMs;
  return {
    ...base,
    ...agents,
    // The instance's baseURL now, also when it was removed after attach (undefined would let axios
    // fall back to the one the private client copied then): the request goes where it was judged.
    baseURL: base.baseURL ?? '',
    method: 'post',
    url: request.url,
    timeout,
    signal: request.signal as AxiosRequestConfig['signal'],
    headers: { ...(base.headers as object), 'Content-Type': 'application/json', Accept: 'application/json' },
    data: JSON.stringify(request.body),
    responseType: 'text',
    transformRequest: [identity],
    transformResponse: [identity],
    validateStatus: () => true,
    maxRedirects: 0,
    // A browser may serve a high-priority fetch before requests queued for its connections (docs/how-it-works.md, "connection pools").
    fetchOptions: { ...(base as { fetchOptions?: object }).fetchOptions, priority: 'high', redirect: 'manual' },
  } as AxiosRequestConfig;
}

/**
 * What stopped a request before an answer arrived: the system error's code and message
 * (`ECONNREFUSED`, `ENOTFOUND`, a timeout), looked for along the `cause` chain (the fetch adapter
 * wraps it: `ERR_NETWORK` ← `fetch failed` ← `connect ECONNREFUSED …`).
 */
export function transportFailureOf(error: unknown): { code?: string; message: string } {
  let found: { code?: string; message: string } | undefined;
  let current = error as { code?: unknown; message?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    const code = typeof current.code === 'string' ? current.code : undefined;
    const message = typeof current.message === 'string' ? current.message : '';
    if (code && code !== 'ERR_NETWORK') return { code, message };
    found ??= { code, message };
    current = current.cause as typeof current;
  }
  return found ?? { message: 'unknown error' };
}
