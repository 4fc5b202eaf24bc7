import { isGraphQLRequestError } from '../errors/graphql-request-error';
import { isLoginError } from '../errors/login-error';
import { isSessionExpiredError } from '../errors/session-expired-error';
import { isTokenRefreshError } from '../errors/token-refresh-error';
import { isAxiosError } from '../util/redact';

/**
 * Whether a refresh/login failure is transient (keep the tokens, let the next request try again) or
 * the server's verdict (the refresh token or the credentials were rejected). Unknown errors count as
 * transient: a bug or a 502 must never log a user out (behaviours 7, 8).
 */
export function isTransientFailure(error: unknown): boolean {
  if (isTokenRefreshError(error)) return true;
  if (isLoginError(error) || isSessionExpiredError(error)) return false;
  if (isGraphQLRequestError(error)) return error.code === 'RATE_LIMITED';
  if (isAxiosError(error)) {
    const status = error.response?.status;
    return status === undefined || isTransientStatus(status);
  }
  return true;
}

/** HTTP statuses that are not the server's verdict on a token: try again later. */
export function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}
