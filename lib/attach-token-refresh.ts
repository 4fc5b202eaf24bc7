import type { AxiosInstance } from 'axios';
import { attachPlugin, type DefaultRefresh } from './plugin/attach';
import { createNextSchoolRefresh } from './transport/refresh-mutation';
import type { TokenRefreshHandle, TokenRefreshOptions } from './types';

// Where the package is composed: the generic plugin (lib/plugin/) with the NextSchool refresh
// mutation as its default refresh. The core imports nothing of the preset (docs/architecture.md).

const nextSchoolRefresh: DefaultRefresh = ({ client, instance, options, deadToken }) =>
  createNextSchoolRefresh({
    client: () => client,
    instance,
    url: options.url,
    rotating: options.rotatingRefreshTokens,
    timeoutMs: options.refreshTimeoutMs,
    deadToken,
  });

/**
 * Makes an axios instance survive expiring access tokens: attaches the token to its requests,
 * detects auth errors in answers (GraphQL `UNAUTHENTICATED` inside HTTP 200 bodies, and 401s),
 * runs **one** refresh for any number of concurrent failures, holds new requests while it runs, and
 * replays the failed ones with the new token.
 *
 * @param instance - An axios instance you already have (axios 0.22 to 1.x; older copies throw a
 *   `TypeError`). Before or after your own interceptors: the plugin's response interceptor always
 *   sees the raw answer first, yours see the final answer once (docs/how-it-works.md).
 * @param options - See {@link TokenRefreshOptions}.
 * @returns A handle to force a refresh, log in, set or read tokens, read counters, and detach.
 *
 * @remarks
 * The default refresh is the NextSchool `refreshToken` mutation, posted with variables to `url`
 * through the instance's transport but none of its interceptors. Tokens are sent only to the origin
 * of the instance's `baseURL` or of `url`; the refresh token only to a GraphQL endpoint: `url`, or
 * the `baseURL` once a GraphQL request went to its origin. An attachment for a REST API on another
 * origin joins the refresh of an attachment on the same token store instead
 * (docs/configuration.md, "refresh endpoint").
 *
 * @example
 * ```ts
 * import axios from 'axios';
 * import { attachTokenRefresh } from 'axios-graphql-refresh';
 *
 * const api = axios.create({ baseURL: 'https://data.nextschool.io/' });
 * const auth = attachTokenRefresh(api, {
 *   tokens: { accessToken, refreshToken, expiresIn: 900 },
 *   onSessionExpired: () => console.warn('log in again'),
 * });
 * ```
 */
export function attachTokenRefresh(instance: AxiosInstance, options?: TokenRefreshOptions): TokenRefreshHandle {
  return attachPlugin(instance, options, nextSchoolRefresh);
}
