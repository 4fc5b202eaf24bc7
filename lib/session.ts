import { raceCancel } from './cancel';
import { isTransientFailure } from './classify';
import { coordinatorFor } from './coordinator';
import { sleep, withDeadline } from './deadline';
import { GraphQLRequestError } from './errors/graphql-request-error';
import { LoginError, isLoginError } from './errors/login-error';
import { SessionExpiredError } from './errors/session-expired-error';
import { TokenRefreshError, isTokenRefreshError } from './errors/token-refresh-error';
import type { ResolvedOptions } from './options';
import { redactAxiosError, redactText } from './redact';
import { assertTokenInput, normalizeTokens } from './tokens';
import type { RefreshContext, TokenInput, TokenRefreshStats, TokenSet, TokenStore } from './types';

// The token lifecycle of one attachment: reading the store, the single refresh/login flight, the
// login fallback, and the end of a session. Requests are stamped with a *generation*: a number that
// grows each time a new access token is seen. An answer stamped with an older generation than the
// current one is replayed without another refresh (behaviour 3) — and no token is ever stored on
// a request config, where error renderings would show it.

export interface SessionDeps {
  store: TokenStore;
  options: ResolvedOptions;
  refresh: (ctx: RefreshContext) => Promise<TokenInput>;
  log: (message: string, meta?: object) => void;
  stats: TokenRefreshStats;
}

type FlightKind = 'refresh' | 'login';

/** What a request is sent with: the newest token known at that moment, and its generation. */
export interface RequestTokens {
  token: string | undefined;
  generation: number;
}

export type Session = ReturnType<typeof createSession>;

export function createSession({ store, options, refresh, log, stats }: SessionDeps) {
  const shared = coordinatorFor(store);
  let generation = 0;
  let lastToken: string | undefined;
  let backgroundFor = -1;

  function observe(tokens: TokenSet | null | undefined): void {
    const token = tokens?.accessToken;
    if (token && token !== lastToken) {
      lastToken = token;
      generation++;
    }
  }

  async function read(): Promise<TokenSet | null> {
    const tokens = (await store.get()) ?? null;
    observe(tokens);
    return tokens;
  }

  async function write(tokens: TokenSet | null): Promise<void> {
    await store.set(tokens);
    observe(tokens);
  }

  const isExpired = (t: TokenSet) => typeof t.expiresAt === 'number' && Date.now() >= t.expiresAt;

  /** Within the lead time: `refreshAheadMs`, capped at half the lifetime so short tokens are not refreshed on every request. */
  function isDue(t: TokenSet): boolean {
    if (typeof t.expiresAt !== 'number') return false;
    let lead = options.refreshAheadMs;
    if (typeof t.issuedAt === 'number' && t.expiresAt > t.issuedAt) lead = Math.min(lead, (t.expiresAt - t.issuedAt) / 2);
    return Date.now() >= t.expiresAt - lead;
  }

  function safeCall<A>(hook: ((arg: A) => void) | undefined, arg: A, name: string): void {
    if (!hook) return;
    try {
      hook(arg);
    } catch (error) {
      log(`${name} hook threw; ignored`, { error: (error as Error)?.name });
    }
  }

  /** A fresh copy of the terminal error, so each caller gets its own stack-free instance. */
  function copyOfEnd(): Error {
    const ended = shared.ended!;
    const Ctor = ended.constructor as new (message: string, options?: { cause?: unknown }) => Error;
    return new Ctor(ended.message, { cause: (ended as { cause?: unknown }).cause });
  }

  /** Fails fast once the session has ended, unless tokens were set since (behaviour 7). */
  async function assertAlive(): Promise<void> {
    if (!shared.ended) return;
    const tokens = await read();
    if (tokens?.accessToken) {
      shared.ended = null;
      return;
    }
    throw copyOfEnd();
  }

  function transient(error: unknown, what: string, secrets: Array<string | undefined>): TokenRefreshError {
    if (isTokenRefreshError(error)) return error;
    const detail = error instanceof Error ? redactText(error.message, secrets) : 'unknown error';
    return new TokenRefreshError(`The ${what} failed: ${detail}`, {
      cause: redactAxiosError(error, { secretBody: true, secrets: secrets.filter((s): s is string => !!s) }),
    });
  }

  async function endSession(cause: unknown): Promise<SessionExpiredError> {
    await write(null);
    const error = new SessionExpiredError(undefined, { cause: redactAxiosError(cause, { secretBody: true }) });
    shared.ended = error;
    stats.sessionExpired++;
    log('session expired', { cause: (cause as Error)?.name });
    safeCall(options.onSessionExpired, error, 'onSessionExpired');
    return error;
  }

  async function saveTokens(input: TokenInput, sentAt: number, previous: TokenSet | null, what: string): Promise<TokenSet> {
    if (!input || typeof input !== 'object' || typeof input.accessToken !== 'string' || input.accessToken === '') {
      throw new GraphQLRequestError([{ message: `The ${what} returned no accessToken` }]);
    }
    assertTokenInput(input, `${what} result`);
    const tokens = normalizeTokens(input, sentAt, previous);
    await write(tokens);
    shared.ended = null;
    log(`${what} succeeded`, { expiresAt: tokens.expiresAt });
    safeCall(options.onRefresh, { ...tokens }, 'onRefresh');
    return tokens;
  }

  /**
   * A login or refresh the server declined for its rate limit is waited out once — never hammered
   * (NextSchool allows five logins a minute per IP). The gate stays held meanwhile.
   */
  async function onceMoreAfterRateLimit<T>(what: string, attempt: () => Promise<T>): Promise<T> {
    try {
      return await attempt();
    } catch (error) {
      const wait = (error as { retryAfterMs?: unknown })?.retryAfterMs;
      if (typeof wait !== 'number' || wait > options.maxRateLimitDelayMs) throw error;
      log(`${what} declined by a rate limit; waiting once`, { delayMs: wait });
      await sleep(wait);
      return attempt();
    }
  }

  async function runRefresh(current: TokenSet & { refreshToken: string }): Promise<TokenSet> {
    stats.refreshes++;
    log('refreshing the access token');
    // A transient failure is retried within the same deadline, unless refresh tokens rotate: then a
    // retry could spend a token the server already replaced (behaviour 11).
    const retry = options.rotatingRefreshTokens ? false : options.retry;
    const attempts = retry ? 1 + retry.retries : 1;
    let sentAt = Date.now();
    const input = await onceMoreAfterRateLimit('refresh', () => withDeadline(options.refreshTimeoutMs, 'refresh', async (signal) => {
      for (let attempt = 1; ; attempt++) {
        sentAt = Date.now();
        try {
          return await refresh({ refreshToken: current.refreshToken, signal });
        } catch (error) {
          if (!retry || attempt >= attempts || signal.aborted || !isTransientFailure(error)) throw error;
          const delay = retry.retryDelay(attempt, error);
          log('refresh failed for a transient reason; retrying', { attempt, delay });
          await sleep(delay, signal);
        }
      }
    }));
    return saveTokens(input, sentAt, current, 'refresh');
  }

  async function runLogin(): Promise<TokenSet> {
    stats.logins++;
    log('logging in');
    let sentAt = Date.now();
    const input = await onceMoreAfterRateLimit('login', () => {
      sentAt = Date.now();
      return withDeadline(options.refreshTimeoutMs, 'login', (signal) => options.login!({ signal }));
    });
    return saveTokens(input, sentAt, null, 'login');
  }

  /** Login as the fallback of a rejected refresh: rejected again → the session ends. */
  async function loginOrEnd(rejection: unknown, hadSession: boolean): Promise<TokenSet> {
    if (!options.login) throw await endSession(rejection);
    try {
      return await runLogin();
    } catch (error) {
      if (isTransientFailure(error)) throw transient(error, 'login', []);
      const loginError = isLoginError(error) ? error : new LoginError(error instanceof Error ? error.message : 'Login rejected', { cause: error });
      if (hadSession) throw await endSession(loginError);
      // Never had a session: the credentials themselves are wrong. Fail fast, never retry on our own.
      shared.ended = loginError;
      throw loginError;
    }
  }

  /** The body of one flight; under the store's lock when it has one (cross-process single flight). */
  async function fly(kind: FlightKind, staleGeneration: number): Promise<TokenSet> {
    const current = await read();
    // Double-checked: someone (another request, attachment or process) may have stored newer tokens.
    if (current?.accessToken && generation > staleGeneration && !isExpired(current)) {
      log('adopted tokens stored meanwhile');
      return current;
    }
    if (kind === 'login') return loginOrEnd(undefined, false);
    if (!current?.refreshToken) {
      return loginOrEnd(new SessionExpiredError('No refresh token is stored'), !!current?.accessToken);
    }
    try {
      return await runRefresh(current as TokenSet & { refreshToken: string });
    } catch (error) {
      if (isTransientFailure(error)) throw transient(error, 'refresh', [current.refreshToken, current.accessToken]);
      log('refresh rejected by the server');
      return loginOrEnd(error, true);
    }
  }

  /** Joins the flight in progress or starts one. `hold` keeps new requests at the gate meanwhile. */
  function obtain(kind: FlightKind, staleGeneration: number, hold: boolean): Promise<TokenSet> {
    let flight = shared.flight;
    if (!flight) {
      const run = () => fly(kind, staleGeneration);
      const started: Promise<TokenSet> = (store.lock ? store.lock(run) : run()).finally(() => {
        if (shared.flight === started) shared.flight = null;
      });
      flight = started;
      shared.flight = flight;
    }
    if (hold && shared.heldFlight !== flight) {
      shared.heldFlight = flight;
      shared.gate.hold(flight);
    }
    // The flight may belong to another attachment sharing this store (another axios instance, or the
    // other copy of a dual build): its tokens must become this session's newest known too.
    return flight.then((tokens) => {
      observe(tokens);
      return tokens;
    });
  }

  return {
    read,

    /** The tokens a request is sent with (request interceptor): waits at the gate, logs in, refreshes an expired token. */
    async forRequest(signal: AbortSignal | undefined, onQueued: () => void): Promise<RequestTokens> {
      if (shared.ended) await assertAlive();
      const held = shared.gate.pass(signal);
      if (held) {
        onQueued();
        await held;
      }
      let tokens = await read();
      if (!tokens?.accessToken) {
        if (options.login) tokens = await raceCancel(obtain('login', generation, true), signal);
      } else if (isExpired(tokens)) {
        if (tokens.refreshToken || options.login) tokens = await raceCancel(obtain('refresh', generation, true), signal);
      } else if (isDue(tokens) && backgroundFor !== generation && tokens.refreshToken) {
        backgroundFor = generation;
        obtain('refresh', generation, false).catch((error) => log('background refresh failed', { error: (error as Error)?.name }));
      }
      // The newest token known right now, and its generation, read together (no await between).
      return { token: tokens?.accessToken ? lastToken : undefined, generation };
    },

    /**
     * Tokens newer than those a request was sent with (response interceptor). Adopts a newer stored
     * token without refreshing (late answers); otherwise joins or starts the one refresh.
     * Resolves `null` when there is nothing to refresh with and no login.
     */
    async newerThan(sentGeneration: number, signal: AbortSignal | undefined): Promise<{ token: string; generation: number } | null> {
      let current = await read();
      const fresh = current?.accessToken && generation > sentGeneration && !isExpired(current);
      if (!fresh) {
        if (shared.ended && !current?.accessToken) throw copyOfEnd();
        if (!current?.accessToken && !options.login) return null;
        current = await raceCancel(obtain(current?.accessToken ? 'refresh' : 'login', generation, true), signal);
      }
      // The newest token known right now, and its generation, read together (no await between).
      return current?.accessToken && lastToken ? { token: lastToken, generation } : null;
    },

    /** Starts (or joins) a refresh for the requests that follow, without waiting for it. */
    refreshSoon(sentGeneration: number): void {
      if (sentGeneration < generation) return;
      obtain('refresh', generation, true).catch((error) => log('refresh failed', { error: (error as Error)?.name }));
    },

    /** Holds the gate for `ms` (a rate limit): nothing is sent meanwhile. Overlapping pauses coalesce. */
    pauseFor(ms: number): void {
      const until = Date.now() + ms;
      if (until <= shared.pausedUntil) return;
      shared.pausedUntil = until;
      shared.gate.hold(sleep(ms));
    },

    /** Waits until the gate is open (rejects with CANCELED if `signal` aborts first); `undefined` when it is open. */
    passGate: (signal: AbortSignal | undefined) => shared.gate.pass(signal),

    async refresh(): Promise<TokenSet> {
      await read();
      return obtain('refresh', generation, true);
    },

    async login(): Promise<TokenSet> {
      if (!options.login) throw new TypeError('Expected `options.login` to be a function: `login()` needs it');
      if (shared.flight) await shared.flight.catch(() => {});
      // Infinity: never adopt what is stored; the caller asked to log in.
      return obtain('login', Number.POSITIVE_INFINITY, true);
    },

    async setTokens(input: TokenInput | null): Promise<void> {
      if (input !== null) assertTokenInput(input, 'tokens');
      await write(input === null ? null : normalizeTokens(input, Date.now()));
      shared.ended = null;
    },
  };
}

