import { hasNameAndCode, PluginError } from './plugin-error';

/**
 * Why a refresh, a login or a replay could not be done, when it was not the server's verdict on the
 * tokens (docs/errors.md, "transient or permanent"):
 *
 * - `REFRESH_FAILED` — transient: a network error, a timeout, HTTP 5xx or 429, an answer that is not
 *   JSON, a store that is unreachable for now. Trying again later may work; the next request does.
 * - `REFRESH_MISCONFIGURED` — permanent until the configuration changes: no GraphQL endpoint is known
 *   to refresh at, or the refresh or login endpoint answered with a redirect (never followed: the
 *   body holds a secret).
 * - `BODY_NOT_REPLAYABLE` — permanent for this request: its body is a stream, which cannot be sent
 *   twice.
 * - `STORE_CLOSED` — permanent: the token store was closed.
 *
 * @example
 * ```ts
 * const page: Record<TokenRefreshErrorCode, string> = { REFRESH_FAILED: 'retry', REFRESH_MISCONFIGURED: 'ops', BODY_NOT_REPLAYABLE: 'bug', STORE_CLOSED: 'restart' };
 * ```
 */
export type TokenRefreshErrorCode = 'REFRESH_FAILED' | 'REFRESH_MISCONFIGURED' | 'BODY_NOT_REPLAYABLE' | 'STORE_CLOSED';

const CODES: ReadonlySet<string> = new Set<TokenRefreshErrorCode>([
  'REFRESH_FAILED',
  'REFRESH_MISCONFIGURED',
  'BODY_NOT_REPLAYABLE',
  'STORE_CLOSED',
]);

/**
 * A refresh or login could not be done, or a request could not be replayed — not because the server
 * rejected the tokens (that ends the session: {@link SessionExpiredError}). The tokens are kept.
 * `transient` says whether trying again may help (`code` `REFRESH_FAILED`: the next request tries
 * again) or not (any other `code`: fix the cause; the plugin does not retry it). The original
 * failure is in `cause`.
 *
 * @example
 * ```ts
 * catch (error) {
 *   if (isTokenRefreshError(error) && error.transient) res.status(503).send('Try again shortly');
 *   else if (isTokenRefreshError(error)) alertOps(error.code, error.message); // REFRESH_MISCONFIGURED, …
 * }
 * ```
 */
export class TokenRefreshError extends PluginError {
  override readonly name = 'TokenRefreshError';
  readonly code: TokenRefreshErrorCode;
  /** Set when the server declined the call for its rate limit: how long it asked us to wait. */
  readonly retryAfterMs?: number;

  constructor(message: string, options?: { cause?: unknown; retryAfterMs?: number; code?: TokenRefreshErrorCode }) {
    super(message, options);
    this.code = options?.code ?? 'REFRESH_FAILED';
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }

  /** True when trying again later may work (`code` `REFRESH_FAILED`); false when it cannot. */
  get transient(): boolean {
    return this.code === 'REFRESH_FAILED';
  }
}

/**
 * Recognises a {@link TokenRefreshError}, also one from another copy of this package (by `name` and
 * one of its codes).
 *
 * @example
 * ```ts
 * if (isTokenRefreshError(error) && error.transient) retryLater();
 * ```
 */
export function isTokenRefreshError(value: unknown): value is TokenRefreshError {
  return (
    value instanceof TokenRefreshError ||
    (hasNameAndCode(value, 'TokenRefreshError') && CODES.has(String((value as { code?: unknown }).code)))
  );
}
