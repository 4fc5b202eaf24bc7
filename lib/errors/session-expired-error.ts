import { hasNameAndCode, PluginError } from './plugin-error';

/**
 * The session is over: the refresh token was rejected and no login could replace it. Every request
 * waiting for the refresh rejects with it, and later requests fail fast with it until tokens are set
 * again (`setTokens`) or `login()` succeeds.
 *
 * @example
 * ```ts
 * try { await client.query(STUDENTS); }
 * catch (error) { if (isSessionExpiredError(error)) redirectToLogin(); }
 * ```
 */
export class SessionExpiredError extends PluginError {
  override readonly name = 'SessionExpiredError';
  readonly code = 'SESSION_EXPIRED';

  constructor(message = 'The session has expired: log in again', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Recognises a {@link SessionExpiredError}, also one from another copy of this package.
 *
 * @example
 * ```ts
 * if (isSessionExpiredError(error)) showLogin();
 * ```
 */
export function isSessionExpiredError(value: unknown): value is SessionExpiredError {
  return value instanceof SessionExpiredError || hasNameAndCode(value, 'SessionExpiredError', 'SESSION_EXPIRED');
}
