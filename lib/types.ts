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
 * What the plugin tells a store's `lock` about the refresh or login it runs under the lock.
 *
 * @example
 * ```ts
 * await store.lock(() => refreshNow(), { refreshTimeoutMs: 15_000 });
 * ```
 */
export interface LockOptions {
  /**
   * The longest the refresh or login under the lock waits for its answer (the plugin passes its
   * `refreshTimeoutMs`). A holder that stops renewing its lease (frozen, or its process stalled) is
   * taken over only once this much more has passed, so that an answer still on its way can be stored
   * instead of the spent refresh token being presented again. Stores assume 15 s when absent.
   */
  refreshTimeoutMs?: number;
}

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
  /**
   * Optional cross-process mutual exclusion around a refresh or login. `options` says how long the
   * work under the lock may wait for its answer: a store must not hand the lock to another holder
   * while that answer may still land (with rotating refresh tokens, the other holder would present
   * the refresh token just spent).
   */
  lock?<T>(fn: () => Promise<T>, options?: LockOptions): Promise<T>;
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
  /**
   * Optional: a rate budget shared by everything that uses this store — every process on one Redis
   * key, say — since an API's per-user limit is the account's, not one process's
   * (docs/rate-limits.md, "sharing across processes"). Records one send under `key` and answers
   * `0` when fewer than `limit` sends were recorded under it in the last `windowMs` milliseconds;
   * otherwise records nothing and answers how many milliseconds until enough leave the window.
   * It must be atomic for the store's sharing scope (in Redis, one Lua script over a sorted set).
   * When present, `rateLimit` asks it before every send instead of counting in-process.
   *
   * The answer is a number of milliseconds, or a {@link RateBudgetAnswer} that also says how many
   * store objects share the budget. That count sets what a process may send while the store fails
   * (a call that throws or rejects): its share, `max(1, floor(limit / sharers))` per window, the
   * largest count seen so far — the whole `limit` only once the store said it was alone; a store
   * that never said (plain numbers) gets one send a window until it answers again.
   *
   * @example
   * ```ts
   * // In-process only, to show the contract (a real store shares it: see RedisTokenStore).
   * const sent = new Map<string, number[]>();
   * const store: TokenStore = {
   *   get: () => tokens,
   *   set: (t) => void (tokens = t),
   *   takeBudget({ key, limit, windowMs }) {
   *     const now = Date.now();
   *     const times = (sent.get(key) ?? []).filter((t) => t > now - windowMs);
   *     sent.set(key, times);
   *     if (times.length >= limit) return { waitMs: times[times.length - limit]! + windowMs - now, sharers: 1 };
   *     times.push(now);
   *     return { waitMs: 0, sharers: 1 }; // alone: the whole limit if this store ever fails
   *   },
   * };
   * ```
   */
  takeBudget?(budget: RateBudgetRequest): number | RateBudgetAnswer | Promise<number | RateBudgetAnswer>;
}

/**
 * What the plugin asks a store's shared rate budget (`TokenStore.takeBudget`).
 *
 * @example
 * ```ts
 * const request: RateBudgetRequest = { key: 'requests', limit: 60, windowMs: 60_250 };
 * ```
 */
export interface RateBudgetRequest {
  /** Which budget: `'requests'` (every send that carries the token) or `'logins'`. */
  key: string;
  /** At most this many sends… */
  limit: number;
  /** …in any window this long (ms): the configured `interval`, widened by the longest round trip seen. */
  windowMs: number;
}

/**
 * What a store's shared rate budget answers (`TokenStore.takeBudget`), when it says more than a
 * number of milliseconds.
 *
 * @example
 * ```ts
 * const answer: RateBudgetAnswer = { waitMs: 0, sharers: 3 }; // recorded; three processes share it
 * ```
 */
export interface RateBudgetAnswer {
  /** `0`: the send was recorded and may leave now; otherwise ms until asking again (nothing recorded). */
  waitMs: number;
  /**
   * How many store objects (processes) asked for this budget in the last `windowMs`, this one
   * included. The largest count seen sets this process's share while the store fails.
   */
  sharers?: number;
  /**
   * On a grant, optional: the plugin calls it once the send's answer (or failure) came back, and the
   * store then counts the send until `windowMs` from that moment rather than from the grant — the
   * server counted it in between, so a send slow to arrive is never counted too short. Without it,
   * the plugin widens `windowMs` by the longest time it has seen from asking to an answer.
   */
  answered?(): void;
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
 * Pacing of the requests the plugin handles, so that the server never has to decline one
 * (docs/rate-limits.md). Every send — replays and retries included — waits until it is admitted:
 * at most `intervalCap` sends carrying the token in any `interval`, counted from each send until
 * `interval` after its answer (so a fixed-window server is never exceeded, whatever its window's
 * phase), and at most `concurrency` in flight. The count is the token store's: every attachment on
 * one store (and every process, when the store has `takeBudget`) shares one budget.
 *
 * @example
 * ```ts
 * // NextSchool allows 60 requests a minute per user and 5 logins a minute (the preset's default):
 * attachTokenRefresh(api, { rateLimit: { intervalCap: 60, interval: 60_000, logins: { intervalCap: 5, interval: 60_000 } } });
 * ```
 */
export interface RateLimitOptions {
  /**
   * Sends in flight at once. When the instance's `httpAgent`/`httpsAgent` has a lower `maxSockets`,
   * that is the bound (requests then wait in the plugin, where a dead token can still be replaced).
   * In a browser it replaces the default of 5 when the API's origin speaks HTTP/1.1 (the browser's
   * 6 connections per host, one left for the refresh; none over HTTP/2 or HTTP/3).
   * @default Infinity (5 in a browser over HTTP/1.1, see docs/how-it-works.md#connection-pools)
   */
  concurrency?: number | undefined;
  /** Sends carrying the token per `interval`. @default Infinity */
  intervalCap?: number | undefined;
  /** The window of `intervalCap`, in ms. @default 0 */
  interval?: number | undefined;
  /**
   * A budget of its own for `login` (NextSchool: 5 a minute per IP): a login waits for room in it.
   * @default false
   */
  logins?: false | { intervalCap: number; interval: number } | undefined;
}

/**
 * Retries of transient failures (network errors, HTTP 5xx), made by axios-retry on the plugin's
 * private client (never on your instance; your own axios-retry there decides alone for what it
 * sees). The condition is fixed and GraphQL-aware: queries only, never mutations (docs/rate-limits.md).
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
   * @default exponential backoff: `100 × 2^retryCount` ms plus up to 20% jitter (~200 ms, ~400 ms,
   * ~800 ms …), and never less than the answer's `Retry-After`
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
  /**
   * Requests waiting for a rate limit right now — for room in the `rateLimit` budget, or at the gate
   * while a server's `Retry-After` runs (a gauge, read when `stats` is read; docs/rate-limits.md).
   */
  waiting: number;
  /** Requests that were held more than about a second by a rate limit (each announced once: logger and `rate-limited` event). */
  paced: number;
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
