import type { AxiosRequestConfig } from 'axios';
import { setHeader } from '../util/headers';

// The XSRF header of the refresh and the login, read at once in a page (docs/how-it-works.md,
// "Connection pools"). axios' XHR adapter (1.x, where the page has the Cookie Store API) reads the
// XSRF cookie with `cookieStore.get`, a round trip to the browser: every answer already in the page
// is handled first, so under a herd the refresh left only after the herd's dead answers had been
// read. Where axios decides by origin alone (`withXSRFToken` unset, the API on the page's own
// origin), the plugin reads the same cookie from `document.cookie` as axios' synchronous path does,
// sets the same header, and leaves axios no cookie to read. Every other case is left to axios.

type Page = { document?: { cookie: unknown; baseURI: string }; location?: { origin: string } };

/** `value` URI-decoded where it can be, as axios reads a cookie. */
function decoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * Sets on `config` (a POST to `url`) the XSRF header axios would set, read now, and clears
 * `xsrfCookieName` so that axios reads nothing more; returns `config` as it is outside a page, for
 * another origin, or where axios' rule is not the origin alone (`withXSRFToken` set, no names).
 */
export function withXsrfNow(config: AxiosRequestConfig, url: string): AxiosRequestConfig {
  const { withXSRFToken, xsrfCookieName: name, xsrfHeaderName } = config as AxiosRequestConfig & { withXSRFToken?: unknown };
  const { document, location } = globalThis as Page;
  if (withXSRFToken != null || !name || !xsrfHeaderName || !document || !location) return config;
  let cookies: unknown;
  try {
    cookies = document.cookie; // throws in a sandboxed frame
    if (typeof cookies !== 'string' || new URL(url, document.baseURI).origin !== location.origin) return config;
  } catch {
    return config;
  }
  const next = { ...config, xsrfCookieName: null } as unknown as AxiosRequestConfig;
  const pair = cookies
    .split(';')
    .map((cookie) => cookie.trimStart())
    .find((cookie) => cookie.startsWith(`${name}=`));
  const value = pair && decoded(pair.slice(name.length + 1));
  if (value) setHeader(next, xsrfHeaderName, value);
  return next;
}
