import type { AxiosError } from 'axios';
import { isGraphQLRequestError } from '../errors/graphql-request-error';
import { isLoginError } from '../errors/login-error';
import { isSessionExpiredError } from '../errors/session-expired-error';
import { isTokenRefreshError } from '../errors/token-refresh-error';
import { isAxiosError } from '../util/redact';

// What a failure means, in one place (docs/errors.md, "transient or permanent"). Three kinds:
// - transient: no verdict, and trying again later may work (network, timeout, 5xx, 429);
// - permanent: no verdict, and trying again cannot help (a configuration error, a body that cannot
//   be replayed, a closed store, a host that does not exist): not retried, the tokens are kept;
// - verdict: the server rejected the refresh token or the credentials.
// The plugin's own retries of a user's request (plugin/retry.ts) use the narrower rule below,
// `isTransientTransportError`: what axios-retry would send again.

export type FailureKind = 'transient' | 'permanent' | 'verdict';

/**
 * Codes that no retry can fix: DNS says the host does not exist, or the certificate is wrong
 * (axios-retry's list); and axios' own verdicts on the request itself (a throwing transformRequest,
 * a bad option or URL): sending it again, with the body already serialized, would bypass the transform.
 */
const PERMANENT_CODES =
  /^(ENOTFOUND|ENETUNREACH|OUT_OF_MEM|INVALID_CA|INVALID_PURPOSE|PATH_LENGTH_EXCEEDED|HOSTNAME_MISMATCH|ERR_BAD_REQUEST|ERR_BAD_OPTION|ERR_BAD_OPTION_VALUE|ERR_NOT_SUPPORT|ERR_INVALID_URL|ERR_DEPRECATED)$|CERT|CRL/;

/** HTTP statuses that are not the server's verdict on a token: try again later. */
export function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/** An axios error code that no retry can fix. */
export function isPermanentCode(code: unknown): boolean {
  return typeof code === 'string' && PERMANENT_CODES.test(code);
}

/** A network failure worth trying again (axios-retry's `isNetworkError`): no answer, a code, not a timeout or cancel. */
export function isNetworkError(error: AxiosError): boolean {
  const code = error.code;
  return !error.response && !!code && code !== 'ERR_CANCELED' && code !== 'ECONNABORTED' && !isPermanentCode(code);
}

/**
 * axios' own verdict on an answer it received: a redirect loop (`maxRedirects`), a body over
 * `maxContentLength` or `maxBodyLength`. Its code (`ERR_BAD_RESPONSE`) is also that of an HTTP 5xx
 * and of a stream cut mid-body: only the message tells them apart.
 */
function isAxiosVerdict(error: AxiosError): boolean {
  const code = error.code;
  if (typeof code === 'string' && code.startsWith('ERR_FR_')) return true;
  return !error.response && code === 'ERR_BAD_RESPONSE' && /max(Content|Body)Length/.test(String(error.message));
}

/**
 * What the plugin sends again for a user's query (axios-retry's rule, narrowed): HTTP 5xx, or a
 * network failure worth trying again — never a failure axios itself judged (a redirect loop, an
 * answer too large: sending it again would end the same way).
 */
export function isTransientTransportError(error: AxiosError): boolean {
  if (error.response) return error.response.status >= 500 && error.response.status <= 599;
  return isNetworkError(error) && !isAxiosVerdict(error);
}

/**
 * What a refresh or login failure means. Unknown errors count as transient: a bug or a 502 must
 * never log a user out.
 */
export function failureKind(error: unknown): FailureKind {
  if (isTokenRefreshError(error)) return error.code === 'REFRESH_FAILED' ? 'transient' : 'permanent';
  if (isLoginError(error) || isSessionExpiredError(error)) return 'verdict';
  if (isGraphQLRequestError(error)) return error.code === 'RATE_LIMITED' ? 'transient' : 'verdict';
  if (isAxiosError(error)) {
    const status = error.response?.status;
    if (status !== undefined) return isTransientStatus(status) ? 'transient' : 'verdict';
    return isPermanentCode(error.code) ? 'permanent' : 'transient';
  }
  return 'transient';
}

/** True when a refresh/login failure is transient: keep the tokens, let the next request try again. */
export function isTransientFailure(error: unknown): boolean {
  return failureKind(error) === 'transient';
}
