import type { AxiosError, AxiosResponse } from 'axios';
import { deleteHeader, getHeader, plainHeaders } from './headers';

// Everything the library hands back passes through here, so that no token, refresh token or
// password reaches an error message, `toJSON()`, `util.inspect` output or a log line (docs/errors.md,
// "No secrets in renderings").

export const REDACTED = '[redacted]';

/** Duck-typed so that errors from any copy of axios are recognised. */
export function isAxiosError(value: unknown): value is AxiosError {
  return !!value && typeof value === 'object' && (value as { isAxiosError?: unknown }).isAxiosError === true;
}

/** Replaces every occurrence of each secret in `text`. */
export function redactText(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4 && secret !== REDACTED) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/**
 * A copy of `value` with each secret replaced in every string it holds (messages, `extensions`,
 * stack traces a server put there), at any depth. Servers echo what they were sent.
 */
export function redactDeep<T>(value: T, secrets: ReadonlyArray<string | undefined>): T {
  const useful = secrets.filter((s): s is string => !!s && s.length >= 4 && s !== REDACTED);
  if (useful.length === 0) return value;
  const seen = new WeakMap<object, unknown>();
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return useful.some((s) => v.includes(s)) ? redactText(v, useful) : v;
    if (!v || typeof v !== 'object' || depth > 32) return v;
    if (seen.has(v)) return seen.get(v);
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      seen.set(v, out);
      for (const item of v) out.push(walk(item, depth + 1));
      return out;
    }
    if (Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null) return v; // a Buffer, a stream: not a parsed body
    const out: Record<string, unknown> = {};
    seen.set(v, out);
    for (const [key, item] of Object.entries(v)) out[key] = walk(item, depth + 1);
    return out;
  };
  return walk(value, 0) as T;
}

/** The credential an `Authorization` header carries (`Bearer abc` → `abc`), unless already redacted. */
export function credentialOf(headers: unknown): string | undefined {
  const value = getHeader(headers, 'Authorization');
  if (typeof value !== 'string') return undefined;
  const credential = value.replace(/^\s*[A-Za-z-]+\s+/, '').trim();
  return credential && credential !== REDACTED ? credential : undefined;
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

/** Replaces header `name` in `headers`, when it is there, by the placeholder: a visible trace that it was sent, without the value. */
function scrubHeader(headers: object, name: string): void {
  const had = Object.keys(plainHeaders(headers)).some((k) => k.toLowerCase() === name.toLowerCase());
  deleteHeader(headers, name);
  if (had) (headers as Record<string, unknown>)[name] = REDACTED;
}

/**
 * `secretBody`: the plugin's own refresh or login, whose body holds secrets, and whose XSRF header
 * the plugin may have set itself (transport/xsrf-now.ts; axios 1.x keeps its own out of the config).
 */
function scrubConfig(config: unknown, secretBody: boolean): void {
  if (!config || typeof config !== 'object') return;
  const c = config as { headers?: unknown; data?: unknown; auth?: unknown; xsrfHeaderName?: unknown };
  if (c.headers && typeof c.headers === 'object') {
    scrubHeader(c.headers, 'Authorization');
    if (secretBody && typeof c.xsrfHeaderName === 'string' && c.xsrfHeaderName) scrubHeader(c.headers, c.xsrfHeaderName);
  }
  if (c.auth) c.auth = REDACTED;
  if (secretBody && c.data !== undefined) c.data = REDACTED;
}

/**
 * Scrubs an axios error in place: the `Authorization` header (on `config` and `response.config`),
 * optionally the request body (for login/refresh calls, whose bodies hold secrets), and hides the
 * raw `request` objects whose header dumps would show the token. The credential the request
 * carried, and `secrets`, are also replaced in the message and in the answer's body: a server may
 * echo them ("Access token abc… is not allowed", `extensions.token`).
 */
export function redactAxiosError<T>(error: T, options: { secretBody?: boolean; secrets?: string[] } = {}): T {
  if (!isAxiosError(error)) return error;
  const e = error as AxiosError & { response?: AxiosResponse & { request?: unknown } };
  // Read what was sent before the headers are scrubbed: afterwards only the placeholder is left.
  const secrets = [...(options.secrets ?? []), credentialOf(e.config?.headers), credentialOf(e.response?.config?.headers)];
  scrubConfig(e.config, !!options.secretBody);
  if (e.response) {
    if (e.response.config !== e.config) scrubConfig(e.response.config, !!options.secretBody);
    hide(e.response, 'request');
    if (e.response.data !== undefined) e.response.data = redactDeep(e.response.data, secrets);
  }
  hide(e, 'request');
  if (typeof e.message === 'string') e.message = redactText(e.message, secrets);
  return error;
}

/**
 * A copy of a response that is safe to attach to an error: status, headers, data (without the
 * credential the request carried, should the server echo it), and the request's method/url/non-secret
 * headers. No raw request object, no `Authorization`.
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
    data: redactDeep(response.data, [credentialOf(config.headers)]),
    config: { url: config.url, baseURL: config.baseURL, method: config.method, headers },
  } as unknown as T;
}
