import type { AxiosInstance, InternalAxiosRequestConfig } from 'axios';

// Tokens go only to the API's own origin (behaviour 10): the origin of the instance's `baseURL`
// (read per request, as users may change it) or of the configured GraphQL `url`.

const ABSOLUTE = /^([a-z][a-z\d+\-.]*:)?\/\//i;

export function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/** The URL axios will request: `url` if absolute, else `baseURL` + `url`. */
export function fullUrlOf(config: { baseURL?: string; url?: string }): string {
  const url = config.url ?? '';
  if (ABSOLUTE.test(url) || !config.baseURL) return url;
  return url ? `${config.baseURL.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}` : config.baseURL;
}

/** The default `shouldAttachToken`. */
export function createOriginPolicy(instance: AxiosInstance, graphqlUrl: string) {
  const graphqlOrigin = ABSOLUTE.test(graphqlUrl) ? originOf(graphqlUrl) : undefined;
  // baseURL is read per request (users may change it) but parsed only when it changes: this runs on every request.
  let baseURL: string | undefined;
  let baseOrigin: string | undefined;
  return function shouldAttachToken(config: InternalAxiosRequestConfig): boolean {
    if (instance.defaults.baseURL !== baseURL) {
      baseURL = instance.defaults.baseURL;
      baseOrigin = baseURL && ABSOLUTE.test(baseURL) ? originOf(baseURL) : undefined;
    }
    // The common case, without parsing a URL: a relative path under the instance's own baseURL
    // (fullUrlOf joins with a slash, so the path cannot change the host).
    if (baseOrigin && config.baseURL === baseURL && !ABSOLUTE.test(config.url ?? '')) return true;
    const target = fullUrlOf(config);
    if (!ABSOLUTE.test(target)) return true; // relative: the page's own origin
    const origin = originOf(target);
    return !!origin && (origin === baseOrigin || origin === graphqlOrigin);
  };
}

/** A policy that allows exactly one origin: that of `url` (absolute). Used by the NextSchool preset. */
export function createFixedOriginPolicy(url: string) {
  const allowed = originOf(url);
  return function shouldAttachToken(config: InternalAxiosRequestConfig): boolean {
    const target = fullUrlOf(config);
    return !!allowed && ABSOLUTE.test(target) && originOf(target) === allowed;
  };
}
