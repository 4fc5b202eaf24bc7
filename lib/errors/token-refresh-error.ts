import { hasNameAndCode, PluginError } from './plugin-error';

/**
 * A refresh or login failed for a transient reason (network error, timeout, HTTP 5xx, a body that
 * is not JSON), or a request could not be replayed. The tokens are kept; the next request tries
 * again. The original failure is in `cause`.
 *
 * @example
 * ```ts
 * catch (error) { if (isTokenRefreshError(error)) res.status(503).send('Try again shortly'); }
 * ```
 */
export class TokenRefreshError extends PluginError {
  override readonly name = 'TokenRefreshError';
  readonly code = 'REFRESH_FAILED';
  /** Set when the server declined the call for its rate limit: how long it asked us to wait. */
  readonly retryAfterMs?: number;

  constructor(message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(message, options);
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

/**
 * Recognises a {@link TokenRefreshError}, also one from another copy of this package.
 *
 * @example
 * ```ts
 * if (isTokenRefreshError(error)) retryLater();
 * ```
 */
export function isTokenRefreshError(value: unknown): value is TokenRefreshError {
  return value instanceof TokenRefreshError || hasNameAndCode(value, 'TokenRefreshError', 'REFRESH_FAILED');
}
