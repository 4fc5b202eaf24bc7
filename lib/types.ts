import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { SessionExpiredError } from './errors/session-expired-error';

/**
 * The tokens the plugin holds for one session.
 *
 * @example
 * ```ts
 * const tokens: TokenSet = { accessToken: 'eyJ…', refreshToken: 'c0ffee…', expiresAt: Date.now() + 900_000 };
 * ```
 */
export interface TokenSet {
  /** Sent as `Authorization: Bearer <accessToken>`. */
  accessToken: string;
  /** Exchanged for a new access token when the current one is rejected or about to expire. */
  refreshToken?: string;
  /** Epoch ms when the access token stops working, if known. */
  expiresAt?: number;
  /** Epoch ms when the access token was obtained (set by the plugin; lifetime = `expiresAt - issuedAt`). */
  issuedAt?: number;
}

/**
 * What `login`, `refresh` and `setTokens` accept: a {@link TokenSet}, optionally with
 * `expiresIn` in seconds as the NextSchool API returns it.
 *
 * @example
 * ```ts
 * await auth.setTokens({ accessToken, refreshToken, expiresIn: 900 });
 * ```
 */
export type TokenInput = TokenSet & {
  /** Seconds until the access token expires, counted from when the request that obtained it was sent. */
  expiresIn?: number;
};

/**
 * Where tokens live. Methods may be synchronous or return promises.
 *
 * @remarks
 * Implement `lock` to make refreshes single-flight across processes (see `RedisTokenStore`).
 *
 * @example
 * ```ts
 * const store: TokenStore = {
 *   get: () => JSON.parse(localStorage.getItem('tokens') ?? 'null'),
 *   set: (t) => localStorage.setItem('tokens', JSON.stringify(t)),
 * };
 * ```
 */
export interface TokenStore {
  get(): TokenSet | null | Promise<TokenSet | null>;
  set(tokens: TokenSet | null): void | Promise<void>;
  /** Optional cross-process mutual exclusion around a refresh or login. */
  lock?<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * Optional conditional write (compare-and-set): stores `next` only if the store still holds
   * `expected` — the same `accessToken` and `refreshToken`, or nothing when `expected` is `null` —
   * and resolves to whether it wrote. When present, the plugin writes every refresh/login result and
   * every session end through it, so a flight never overwrites tokens that changed meanwhile
   * (`setTokens` elsewhere, another process). Stores shared across processes must make it atomic.
   */
  compareAndSet?(expected: TokenSet | null, next: TokenSet | null): boolean | Promise<boolean>;
  /**
   * Optional: tells the plugin about changes made *elsewhere* (another process, another tab) — not
   * about writes made through this store object. `listener` receives the tokens now stored; `null`
   * means they were cleared elsewhere (a session end or a logout), and every attachment on the store
   * then ends its session: `onSessionExpired` fires once and requests fail fast. Returns a function
   * that unsubscribes.
   */
  subscribe?(listener: (tokens: TokenSet | null) => void): () => void;
}

/**
 * What a `refresh` callback receives.
 *
 * @example
 * ```ts
 * refresh: async ({ refreshToken, signal }) => {
 *   const { data } = await axios.post('/oauth/token', { refreshToken }, { signal });
 *   return { accessToken: data.access_token, expiresIn: data.expires_in };
 * }
 * ```
 */
export interface RefreshContext {
  /** The stored refresh token. */
  refreshToken: string;
  /** Aborted when the refresh exceeds `refreshTimeoutMs`. */
  signal: AbortSignal;
}

/**
 * What a `login` callback receives.
 *
 * @example
 * ```ts
 * login: async ({ signal }) => postLogin(process.env.API_USER, process.env.API_PASSWORD, signal)
 * ```
 */
export interface LoginContext {
  /** Aborted when the login exceeds `refreshTimeoutMs`. */
  signal: AbortSignal;
}

/**
 * A sink for the plugin's diagnostic messages. It never receives a token, refresh token or password.
 *
 * @example
 * ```ts
 * attachTokenRefresh(api, { logger: { debug: (message, meta) => pino.debug(meta, message) } });
 * ```
 */
export interface Logger {
  debug(message: string, meta?: object): void;
}

/**
 * Client-side pacing of the requests the plugin handles (the same options as p-queue's). Each send —
 * replays and retries included — holds a slot while the transport sends it, so a request cancelled in
 * flight, or failing in a transform before it is sent, never keeps one.
 *
 * @example
 * ```ts
 * // NextSchool allows 60 requests a minute per user:
 * attachTokenRefresh(api, { rateLimit: { intervalCap: 60, interval: 60_000, concurrency: 10 } });
 * ```
 */
export interface RateLimitOptions {
  /** @default Infinity */
  concurrency?: number | undefined;
  /** @default Infinity */
  intervalCap?: number | undefined;
  /** @default 0 */
  interval?: number | undefined;
}

/**
 * Retries of transient failures (network errors, HTTP 5xx) through axios-retry. The condition is
 * fixed and GraphQL-aware: queries only, never mutations.
 *
 * @example
 * ```ts
 * attachTokenRefresh(api, { retry: { retries: 3, retryDelay: (n) => 250 * 2 ** n } });
 * ```
 */
export interface RetryOptions {
  /** @default 2 */
  retries?: number | undefined;
  /**
   * Milliseconds to wait before retry number `retryCount` (1-based).
   * @default exponential backoff with jitter: ~100 ms, ~200 ms, ~400 ms …
   */
  retryDelay?: ((retryCount: number, error: unknown) => number) | undefined;
}

/**
 * Options of {@link attachTokenRefresh}. Every field is optional; `undefined` never replaces a default.
 *
 * @example
 * ```ts
 * attachTokenRefresh(api, {
 *   tokens: { accessToken, refreshToken, expiresIn: 900 },
 *   onSessionExpired: () => redirectToLogin(),
 * });
 * ```
 */
export interface TokenRefreshOptions {
  /**
   * A token store, or initial tokens for an in-memory one.
   * @default new MemoryTokenStore()
   */
  tokens?: TokenStore | TokenInput | null | undefined;
  /**
   * Exchanges a refresh token for new tokens. Resolve without `accessToken` (or throw a
   * `GraphQLRequestError`/`LoginError`, or an axios 4xx error) when the server rejects the refresh
   * token; any other error counts as transient and keeps the tokens.
   * @default the NextSchool `refreshToken` mutation, sent with variables to `url`
   */
  refresh?: ((ctx: RefreshContext) => Promise<TokenInput>) | undefined;
  /**
   * Obtains tokens from scratch: used when there are none, or when the refresh token is rejected.
   * Throw `LoginError` when the credentials are rejected.
   * @default undefined (no automatic login)
   */
  login?: ((ctx: LoginContext) => Promise<TokenInput>) | undefined;
  /**
   * The GraphQL endpoint, relative to the instance's `baseURL` or absolute. The default refresh posts
   * here, and its origin may receive the token.
   * @default '' (the instance's `baseURL`)
   */
  url?: string | undefined;
  /**
   * Decides whether an answer means "the access token was not accepted".
   * @default any `errors[i].extensions.code` in `authErrorCodes` (single or batched body, any HTTP
   * status), or an HTTP status in `authStatusCodes`
   */
  isAuthError?: ((response?: AxiosResponse, error?: unknown) => boolean) | undefined;
  /** @default ['UNAUTHENTICATED'] */
  authErrorCodes?: string[] | undefined;
  /** @default [401] */
  authStatusCodes?: number[] | undefined;
  /**
   * Refresh in the background when less than this remains of a token with a known expiry
   * (capped at half the token's lifetime).
   * @default 60_000
   */
  refreshAheadMs?: number | undefined;
  /**
   * Deadline of one refresh or login, independent of any caller's `signal`.
   * @default 15_000
   */
  refreshTimeoutMs?: number | undefined;
  /**
   * Auth replays per request; after that the last answer is returned as is.
   * @default 1
   */
  maxReplays?: number | undefined;
  /**
   * How many times one request may be declined by a rate limit (HTTP 429 or `RATE_LIMITED`) and
   * sent again after the wait the server asked for. Separate from `maxReplays`.
   * @default 3
   */
  maxRateLimitWaits?: number | undefined;
  /**
   * The longest wait the plugin accepts from a rate limit; an answer asking for more is returned as is.
   * @default 60_000
   */
  maxRateLimitDelayMs?: number | undefined;
  /**
   * The server issues a new refresh token on every refresh: the default mutation also selects
   * `refreshToken`, and a refresh is never retried.
   * @default false
   */
  rotatingRefreshTokens?: boolean | undefined;
  /**
   * Whether a request may carry the token.
   * @default requests to the origin of the instance's `baseURL` or of `url`, and relative URLs when
   * neither is absolute
   */
  shouldAttachToken?: ((config: InternalAxiosRequestConfig) => boolean) | undefined;
  /**
   * Retries of transient failures (queries only).
   * @default { retries: 2 }
   */
  retry?: false | RetryOptions | undefined;
  /**
   * Client-side pacing over the requests this plugin handles.
   * @default false
   */
  rateLimit?: false | RateLimitOptions | undefined;
  /** Called after every successful refresh or login. @default undefined */
  onRefresh?: ((tokens: TokenSet) => void) | undefined;
  /** Called once when the session ends (refresh and login rejected). @default undefined */
  onSessionExpired?: ((error: SessionExpiredError) => void) | undefined;
  /**
   * Receives diagnostics; never a token. When absent, `DEBUG=axios-graphql-refresh` logs to `console.debug`.
   * @default undefined
   */
  logger?: Logger | undefined;
}

/**
 * Counters of one attachment.
 *
 * @example
 * ```ts
 * setInterval(() => metrics.gauge('token_refreshes', auth.stats.refreshes), 10_000);
 * ```
 */
export interface TokenRefreshStats {
  /** Refreshes this attachment ran (joined flights are not counted; logins are counted in `logins`). */
  refreshes: number;
  /** Logins this attachment ran (joined flights are not counted). */
  logins: number;
  /** Requests sent again after an auth error. */
  replays: number;
  /** Requests that waited before sending for a refresh or login (held at the gate, or behind the flight an expired or missing token started); each counted once. */
  queued: number;
  /** Times the session ended. */
  sessionExpired: number;
  /** Answers that were rate-limit declines the plugin waited out. */
  rateLimited: number;
}

/**
 * What {@link attachTokenRefresh} returns.
 *
 * @example
 * ```ts
 * const auth = attachTokenRefresh(api, { login });
 * await auth.login();
 * console.log(auth.stats.refreshes);
 * auth.detach();
 * ```
 */
export interface TokenRefreshHandle {
  /** Forces one refresh (joins one in flight). */
  refresh(): Promise<TokenSet>;
  /** Runs `options.login`, single flight. */
  login(): Promise<TokenSet>;
  /** Replaces the stored tokens (`null` clears them) and ends a session-expired state. */
  setTokens(tokens: TokenInput | null): Promise<void>;
  /** The stored tokens. */
  getTokens(): Promise<TokenSet | null>;
  /** Ejects every interceptor the plugin installed. */
  detach(): void;
  readonly stats: Readonly<TokenRefreshStats>;
}

declare module 'axios' {
  interface AxiosRequestConfig {
    /** The current token is attached, but the request is never held, refreshed for or replayed. */
    skipAuthRefresh?: boolean;
    /** No token is attached and the plugin leaves the request alone. */
    skipAuth?: boolean;
    /**
     * GraphQL client only: `false` sends this call on its own even if an identical query is in
     * flight (and no other call joins it); `true` shares on a client created with `coalesce: false`.
     * Mutations are never shared (docs/graphql-client.md#coalescing).
     */
    coalesce?: boolean;
  }
}
