import type { AxiosRequestConfig } from 'axios';
import { getHeader, setHeader } from '../util/headers';

// The XSRF header of the refresh and the login, read at once in a page (docs/how-it-works.md,
// "The refresh leaves at once in a page"). axios' XHR adapter (1.x, in a page with the Cookie Store
// API) reads the XSRF cookie with `cookieStore.get`, a round trip to the browser: every answer
// already in the page is handled first, so under a herd the refresh left only after the herd's dead
// answers had been read. In exactly that case — the XHR adapter, the Cookie Store API, and axios
// deciding by origin alone (`withXSRFToken` unset, every URL axios may request on the page's own
// origin) — the plugin reads the same cookie from `document.cookie`, sets the header as axios would
// and leaves axios no cookie to read. Every other case is left to axios as it is.

type Globals = {
  document?: { cookie: unknown; baseURI: string };
  location?: { href: string };
  cookieStore?: { get?: unknown };
  XMLHttpRequest?: unknown;
};

/**
 * Sets on `config` (a POST to one of `urls`, every URL axios may join for it) the XSRF header axios
 * would set, read now, and clears `xsrfCookieName` so that axios reads nothing more; returns
 * `config` as it is wherever axios would not read the cookie through the Cookie Store API (another
 * adapter than XHR named first, a page without it) or would not decide by origin alone. The origin
 * is judged as axios does (the protocol and host of `location.href`: a `blob:` or `about:` page
 * matches no API). A header set to `false` stays `false`, as axios leaves it; a cookie that is not
 * valid URI encoding, or cookies that cannot be read (a sandboxed frame throws), are left to axios.
 */
export function withXsrfNow(config: AxiosRequestConfig, urls: string[]): AxiosRequestConfig {
  const {
    withXSRFToken,
    xsrfCookieName: name,
    xsrfHeaderName: header,
    adapter,
  } = config as AxiosRequestConfig & { withXSRFToken?: unknown };
  const first = Array.isArray(adapter) ? adapter[0] : adapter;
  if (withXSRFToken != null || !name || !header || first !== 'xhr') return config;
  try {
    // Read inside the try: a restricted page may throw from these getters, as axios expects too.
    const { document, location, cookieStore, XMLHttpRequest } = globalThis as Globals;
    if (!XMLHttpRequest || typeof cookieStore?.get !== 'function') return config;
    const page = new URL(String(location?.href));
    const cookies = document!.cookie;
    const elsewhere = (url: string) => {
      const target = new URL(url, document!.baseURI);
      return target.protocol !== page.protocol || target.host !== page.host;
    };
    if (typeof cookies !== 'string' || !urls.length || urls.some(elsewhere)) return config;
    const pair = cookies
      .split(';')
      .map((cookie) => cookie.trimStart())
      .find((cookie) => cookie.startsWith(`${name}=`));
    const value = pair && decodeURIComponent(pair.slice(name.length + 1));
    const next = { ...config, headers: { ...(config.headers as object) }, xsrfCookieName: null } as unknown as AxiosRequestConfig;
    if (value && getHeader(next.headers, header) !== false) setHeader(next, header, value);
    return next;
  } catch {
    return config;
  }
}
