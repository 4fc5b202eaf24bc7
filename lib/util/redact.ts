import type { AxiosError, AxiosResponse } from 'axios';
import { deleteHeader, plainHeaders } from './headers';

// Everything the library hands back passes through here, so that no token, refresh token or
// password reaches an error message, `toJSON()`, `util.inspect` output or a log line (API.md §10).

export const REDACTED = '[redacted]';

/** Duck-typed so that errors from any copy of axios are recognised. */
export function isAxiosError(value: unknown): value is AxiosError {
  return !!value && typeof value === 'object' && (value as { isAxiosError?: unknown }).isAxiosError === true;
}

/** Replaces every occurrence of each secret in `text`. */
export function redactText(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/** Makes a property non-enumerable: still readable, but skipped by `util.inspect` and JSON. */
function hide(target: object | undefined, key: string): void {
  if (!target || typeof target !== 'object' || !(key in target)) return;
  const value = (target as Record<string, unknown>)[key];
  try {
    Object.defineProperty(target, key, { value, enumerable: false, writable: true, configurable: true });
  } catch {
    /* a frozen object keeps its property; nothing else to do */
  }
}

function scrubConfig(config: unknown, secretBody: boolean): void {
  if (!config || typeof config !== 'object') return;
  const c = config as { headers?: unknown; data?: unknown; auth?: unknown };
  if (c.headers && typeof c.headers === 'object') {
    const hadAuth = Object.keys(plainHeaders(c.headers)).some((k) => k.toLowerCase() === 'authorization');
    deleteHeader(c.headers, 'Authorization');
    // Keep a visible trace that a credential was sent, without the credential.
    if (hadAuth) (c.headers as Record<string, unknown>)['Authorization'] = REDACTED;
  }
  if (c.auth) c.auth = REDACTED;
  if (secretBody && c.data !== undefined) c.data = REDACTED;
}

/**
 * Scrubs an axios error in place: the `Authorization` header (on `config` and `response.config`),
 * optionally the request body (for login/refresh calls, whose bodies hold secrets), secrets in the
 * message, and hides the raw `request` objects whose header dumps would show the token.
 */
export function redactAxiosError<T>(error: T, options: { secretBody?: boolean; secrets?: string[] } = {}): T {
  if (!isAxiosError(error)) return error;
  const e = error as AxiosError & { response?: AxiosResponse & { request?: unknown } };
  scrubConfig(e.config, !!options.secretBody);
  if (e.response) {
    if (e.response.config !== e.config) scrubConfig(e.response.config, !!options.secretBody);
    hide(e.response, 'request');
  }
  hide(e, 'request');
  if (options.secrets && typeof e.message === 'string') e.message = redactText(e.message, options.secrets);
  return error;
}

/**
 * A copy of a response that is safe to attach to an error: status, headers, data, and the request's
 * method/url/non-secret headers. No raw request object, no `Authorization`.
 */
export function cleanResponse<T extends AxiosResponse | undefined>(response: T): T {
  if (!response) return response;
  const config = (response.config ?? {}) as { url?: string; baseURL?: string; method?: string; headers?: unknown };
  const headers = plainHeaders(config.headers, config.method);
  for (const key of Object.keys(headers)) if (key.toLowerCase() === 'authorization') headers[key] = REDACTED;
  return {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
    data: response.data,
    config: { url: config.url, baseURL: config.baseURL, method: config.method, headers },
  } as unknown as T;
}
