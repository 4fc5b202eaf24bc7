import type { AxiosInstance, AxiosRequestConfig, AxiosResponse } from 'axios';
import { identity, parseBody } from '../util/body';
import { deleteHeader, plainHeaders } from '../util/headers';

// The plugin's own requests (refresh, login, replays) go through a private client made from the
// user's instance: same axios copy and transport, none of its interceptors (API.md, default refresh
// and behaviour 6). Its default headers are emptied so that a static `Authorization` default on the
// user's instance can never ride along on a refresh.

export type PrivateClient = Pick<AxiosInstance, 'request'>;

/** Creates an interceptor-free client from `instance` (axios ≥ 0.22 gives every instance `create`). */
export function createPrivateClient(instance: AxiosInstance): PrivateClient {
  const create = (instance as AxiosInstance & { create?: (config?: AxiosRequestConfig) => AxiosInstance }).create;
  if (typeof create !== 'function') {
    // The same words as the refusal at attach (plugin/axios-copy.ts): createNextSchoolClient gets here first.
    throw new TypeError('Expected `instance` to be made by axios 0.22 or newer (AbortSignal, instances with create()), got an instance without `create()` (axios 0.21 or older) (docs/getting-started.md)');
  }
  const client = create.call(instance, {});
  (client.defaults as { headers: unknown }).headers = {};
  return client;
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
}


/**
 * POSTs a GraphQL body with the instance's transport. Resolves for every HTTP status; rejects only
 * when no answer arrived (network error, timeout, abort). Bodies are parsed here, not by the
 * instance's transforms, so a user's `transformResponse` cannot break the plugin's own calls.
 */
export async function postGraphQL(
  client: PrivateClient,
  instance: AxiosInstance,
  request: { url: string; body: object; signal: AbortSignal; timeoutMs: number },
): Promise<PostResult> {
  const base = transportDefaults(instance);
  const timeout = base.timeout && base.timeout > 0 ? Math.min(base.timeout, request.timeoutMs) : request.timeoutMs;
  const response = await client.request({
    ...base,
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
  });
  const body = parseBody(response.data);
  return { status: response.status, body: typeof body === 'string' ? undefined : body, response };
}
