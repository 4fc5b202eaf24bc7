import type { AxiosInstance, InternalAxiosRequestConfig } from 'axios';

// Tokens go only to the API's own origin (docs/configuration.md#where-the-token-goes): the
// origin of the instance's `baseURL` (read per request, as users may change it) or of the
// configured GraphQL `url`.
//
// A URL is judged as the transport will resolve it. axios first joins `baseURL` and `url`
// (buildFullPath: `url` is used as it is when it passes axios' own absolute test, the pattern below,
// unless `allowAbsoluteUrls: false`), then the adapter parses the result: WHATWG's URL parser (axios 1
// http adapter, fetch, XHR), which drops leading spaces and control characters and every tab or
// newline (`" http://other/"`, `"ht\ttp://other/"` are absolute there), or Node's legacy
// `url.parse` (axios 0.27), which also trims Unicode spaces and reads backslashes as slashes. The
// parsers agree only on plain URLs, so a token goes only with a plain one: an absolute URL spelled
// `scheme://host[:port]` then `/`, `?`, `#` or the end, or a relative one that no parser can read as
// another host. Anything else gets no token.

/** axios' `isAbsoluteURL`, the same in 0.27 and 1.x: decides whether `baseURL` is prepended. */
const AXIOS_ABSOLUTE = /^([a-z][a-z\d+\-.]*:)?\/\//i;

/**
 * `http(s)://host[:port]` with nothing any parser reads differently: no space, control character,
 * backslash, `@` (userinfo), `%` (escapes) or other delimiter in the authority (a bracketed IPv6
 * address is fine), which ends at `/`, `?`, `#` or the end. Letters beyond ASCII pass, except Unicode
 * spaces: both parsers map internationalised names alike (UTS 46), and reject what maps to a delimiter.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this pattern must refuse
const PLAIN_ABSOLUTE = /^https?:\/\/(?:(?:[a-z\d.-]|[^\s\x00-\x7f])+|\[[a-f\d:.]+\])(?::\d*)?(?:[/?#]|$)/i;

/**
 * A relative URL no parser can read as another host: empty, a query, a fragment, a path that starts
 * with one slash (not two, not a backslash, not a space), or a first segment without `:` (a scheme),
 * backslash, space or control character.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this pattern must refuse
const PLAIN_RELATIVE = /^(?:$|[?#]|\/(?![/\\\s\x00-\x20\x7f])|[^/\\:?#\s\x00-\x20\x7f][^/\\:?#\s\x00-\x1f\x7f]*(?:[/?#]|$))/;

/** Where a full URL goes: the origin of a plain absolute URL, `'relative'` (the page's own origin), or `undefined` when unsure. */
export type Target = string | 'relative' | undefined;

/** The origin of a plain absolute URL, else `undefined` (see the note at the top of this file). */
export function originOf(url: string | undefined): string | undefined {
  if (typeof url !== 'string' || !PLAIN_ABSOLUTE.test(url)) return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/** Where `fullUrl` (already joined with `baseURL`) sends a request. */
export function targetOf(fullUrl: string): Target {
  if (PLAIN_ABSOLUTE.test(fullUrl)) return originOf(fullUrl);
  if (!PLAIN_RELATIVE.test(fullUrl)) return undefined;
  // A relative path may still hold a tab or newline further on, which WHATWG drops: resolve it
  // against a placeholder to be sure it stays there.
  try {
    return new URL(fullUrl, 'http://relative.invalid/').origin === 'http://relative.invalid' ? 'relative' : undefined;
  } catch {
    return undefined;
  }
}

type UrlConfig = { baseURL?: unknown; url?: unknown; allowAbsoluteUrls?: unknown };

function join(baseURL: string, url: string): string {
  return url ? `${baseURL.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}` : baseURL;
}

/**
 * The full URLs the transport may request for `config` (axios' buildFullPath): one, or two when
 * `allowAbsoluteUrls: false` meets an absolute `url` — axios ≥ 1.8 joins them, older versions do
 * not. `undefined` when `url` or `baseURL` is not a string (nothing to judge).
 */
export function fullUrlsOf(config: UrlConfig): string[] | undefined {
  const url = config.url ?? '';
  const baseURL = config.baseURL ?? '';
  if (typeof url !== 'string' || typeof baseURL !== 'string') return undefined;
  if (!baseURL) return [url];
  if (!AXIOS_ABSOLUTE.test(url)) return [join(baseURL, url)];
  return config.allowAbsoluteUrls === false ? [join(baseURL, url), url] : [url];
}

/** The URL axios will request: `url` if absolute, else `baseURL` + `url` (the first of {@link fullUrlsOf}). */
export function fullUrlOf(config: UrlConfig): string {
  return fullUrlsOf(config)?.[0] ?? '';
}

/** True when every URL the transport may request for `config` goes where `allowed` accepts. */
function goesOnlyTo(config: UrlConfig, allowed: (target: Target) => boolean): boolean {
  const urls = fullUrlsOf(config);
  return !!urls && urls.every((url) => allowed(targetOf(url)));
}

/** The default `shouldAttachToken`. */
export function createOriginPolicy(instance: AxiosInstance, graphqlUrl: string) {
  const graphqlOrigin = originOf(graphqlUrl);
  // baseURL is read per request (users may change it) but parsed only when it changes: this runs on every request.
  let baseURL: string | undefined;
  let baseOrigin: string | undefined;
  const allowed = (target: Target) =>
    target === 'relative' || (target !== undefined && (target === baseOrigin || target === graphqlOrigin));
  return function shouldAttachToken(config: InternalAxiosRequestConfig): boolean {
    if (instance.defaults.baseURL !== baseURL) {
      baseURL = instance.defaults.baseURL;
      baseOrigin = originOf(baseURL);
    }
    // The common case, without parsing a URL: a relative path under the instance's own (plain)
    // baseURL. axios joins them with a slash after the base's authority, so the path cannot change the host.
    if (baseOrigin && config.baseURL === baseURL && typeof config.url === 'string' && !AXIOS_ABSOLUTE.test(config.url)) return true;
    return goesOnlyTo(config, allowed);
  };
}

/** A policy that allows exactly one origin: that of `url` (absolute). Used by the NextSchool preset. */
export function createFixedOriginPolicy(url: string) {
  const origin = originOf(url);
  return function shouldAttachToken(config: InternalAxiosRequestConfig): boolean {
    return !!origin && goesOnlyTo(config, (target) => target === origin);
  };
}
