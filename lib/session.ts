import { waitFor, type Patience } from './cancel';
import { isTransientFailure } from './classify';
import { coordinatorFor, type Member, type Refresher } from './coordinator';
import { sleep, withDeadline } from './deadline';
import { GraphQLRequestError } from './errors/graphql-request-error';
import { LoginError, isLoginError } from './errors/login-error';
import { SessionExpiredError } from './errors/session-expired-error';
import { TokenRefreshError, isTokenRefreshError } from './errors/token-refresh-error';
import type { ResolvedOptions } from './options';
import { redactAxiosError, redactText } from './redact';
import { assertTokenInput, normalizeTokens, sameTokens } from './tokens';
import type { RefreshContext, TokenInput, TokenRefreshStats, TokenSet, TokenStore } from './types';

// The token lifecycle of one attachment: reading the store, the single refresh/login flight, the
// login fallback, and the end of a session (docs/how-it-works.md). Requests are stamped with a
// *generation*: a number that grows each time a new access token is seen. An answer stamped with an
// older generation than the current one is replayed without another refresh — and no token is ever
// stored on a request config, where error renderings would show it.
//
// Writes of a flight are conditional: a flight stores its result (or clears the tokens) only if the
// store still holds what the flight started from, so a `setTokens` made meanwhile — here, in another
// attachment or another process — is never overwritten by an older flight.

export interface SessionDeps {
  store: TokenStore;
  options: ResolvedOptions;
  refresh: (ctx: RefreshContext) => Promise<TokenInput>;
  /** The refresh is the user's own or targets a configured `url`: it is trusted from the start. */
  explicitRefresh: boolean;
  /** Whether a request is a GraphQL request to this attachment's refresh endpoint (confirms it). */
  confirms: (request: unknown) => boolean;
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

const isExpired = (t: TokenSet) => typeof t.expiresAt === 'number' && Date.now() >= t.expiresAt;

export function createSession(deps: SessionDeps) {
  const { store, options, log, stats } = deps;
  const shared = coordinatorFor(store);
  let generation = 0;
  let lastToken: string | undefined;
  let backgroundFor = -1;
  /** Set when this attachment's session ended; requests fail fast with a copy until tokens are set. */
  let ended: Error | null = null;
  let confirmed = deps.explicitRefresh;

  const member: Member = {
    ended(error) {
      if (ended) return;
      ended = error;
      stats.sessionExpired++;
      log('session expired', { cause: (error as { cause?: Error }).cause?.name });
      safeCall(options.onSessionExpired, error as SessionExpiredError, 'onSessionExpired');
    },
    revived() {
      ended = null;
    },
  };
  const own: Refresher = { refresh: deps.refresh, trusted: () => confirmed };
  const leave = shared.join(member, own);

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

  /** Writes unconditionally (the caller's own `setTokens`). */
  async function write(tokens: TokenSet | null): Promise<void> {
    shared.version++; // before the write: a flight comparing meanwhile must see it moved
    await store.set(tokens);
    observe(tokens);
  }

  /** Writes only if the store still holds `expected` (and, without `compareAndSet`, nobody here wrote since `version`). */
  async function writeIf(expected: TokenSet | null, next: TokenSet | null, version: number): Promise<boolean> {
    let ok: boolean;
    if (typeof store.compareAndSet === 'function') {
      ok = !!(await store.compareAndSet(expected, next));
    } else {
      ok = shared.version === version && sameTokens((await store.get()) ?? null, expected);
      if (ok) await store.set(next);
    }
    if (ok) {
      shared.version++;
      observe(next);
    }
    return ok;
  }

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

  /** A fresh copy of the terminal error, so each caller gets its own instance. */
  function copyOf(error: Error): Error {
    const Ctor = error.constructor as new (message: string, options?: { cause?: unknown }) => Error;
    return new Ctor(error.message, { cause: (error as { cause?: unknown }).cause });
  }

  /** Fails fast once the session has ended, unless tokens were stored since (by anyone, anywhere). */
  async function assertAlive(): Promise<void> {
    if (!ended) return;
    const tokens = await read();
    if (tokens?.accessToken) {
      ended = null;
      return;
    }
    throw copyOf(ended);
  }

  function transient(error: unknown, what: string, secrets: Array<string | undefined>): TokenRefreshError {
    if (isTokenRefreshError(error)) return error;
    const detail = error instanceof Error ? redactText(error.message, secrets) : 'unknown error';
    return new TokenRefreshError(`The ${what} failed: ${detail}`, {
      cause: redactAxiosError(error, { secretBody: true, secrets: secrets.filter((s): s is string => !!s) }),
    });
  }

  /** A flight's result was discarded (tokens changed meanwhile): continue with what the store holds now. */
  async function adoptCurrent(): Promise<TokenSet> {
    const now = await read();
    if (now?.accessToken) return now;
    throw new SessionExpiredError('The tokens were cleared while the refresh ran');
  }

  /** Ends the session for every attachment on the store — if the store still holds what the flight started from. */
  async function endSession(cause: unknown, startedFrom: TokenSet | null, version: number): Promise<TokenSet> {
    if (!(await writeIf(startedFrom, null, version))) {
      log('tokens changed during the flight: the session goes on with them');
      return adoptCurrent();
    }
    const error = new SessionExpiredError(undefined, { cause: redactAxiosError(cause, { secretBody: true }) });
    shared.end(error);
    throw error;
  }

  async function saveTokens(input: TokenInput, sentAt: number, startedFrom: TokenSet | null, version: number, what: string): Promise<TokenSet> {
    if (!input || typeof input !== 'object' || typeof input.accessToken !== 'string' || input.accessToken === '') {
      throw new GraphQLRequestError([{ message: `The ${what} returned no accessToken` }]);
    }
    assertTokenInput(input, `${what} result`);
    const tokens = normalizeTokens(input, sentAt, startedFrom);
    if (!(await writeIf(startedFrom, tokens, version))) {
      log(`${what} result discarded: the tokens changed while it ran`);
      return adoptCurrent();
    }
    shared.revive();
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

  /** Sends the refresh; returns what it answered and when it was sent. */
  async function runRefresh(refresh: Refresher['refresh'], refreshToken: string): Promise<{ input: TokenInput; sentAt: number }> {
    stats.refreshes++;
    log('refreshing the access token');
    // A transient failure is retried within the same deadline, unless refresh tokens rotate: then a
    // retry could spend a token the server already replaced.
    const retry = options.rotatingRefreshTokens ? false : options.retry;
    const attempts = retry ? 1 + retry.retries : 1;
    let sentAt = Date.now();
    const input = await onceMoreAfterRateLimit('refresh', () =>
      withDeadline(options.refreshTimeoutMs, 'refresh', async (signal) => {
        for (let attempt = 1; ; attempt++) {
          sentAt = Date.now();
          try {
            return await refresh({ refreshToken, signal });
          } catch (error) {
            if (!retry || attempt >= attempts || signal.aborted || !isTransientFailure(error)) throw error;
            const delay = retry.retryDelay(attempt, error);
            log('refresh failed for a transient reason; retrying', { attempt, delay });
            await sleep(delay, signal);
          }
        }
      }),
    );
    return { input, sentAt };
  }

  async function runLogin(): Promise<{ input: TokenInput; sentAt: number }> {
    stats.logins++;
    log('logging in');
    let sentAt = Date.now();
    const input = await onceMoreAfterRateLimit('login', () => {
      sentAt = Date.now();
      return withDeadline(options.refreshTimeoutMs, 'login', (signal) => options.login!({ signal }));
    });
    return { input, sentAt };
  }

  /** Login as the fallback of a rejected refresh (or because there are no tokens): rejected again → the session ends. */
  async function loginOrEnd(rejection: unknown, hadSession: boolean, startedFrom: TokenSet | null, version: number): Promise<TokenSet> {
    if (!options.login) return endSession(rejection, startedFrom, version);
    let result;
    try {
      result = await runLogin();
    } catch (error) {
      if (isTransientFailure(error)) throw transient(error, 'login', []);
      const loginError = isLoginError(error) ? error : new LoginError(error instanceof Error ? error.message : 'Login rejected', { cause: error });
      if (hadSession) return endSession(loginError, startedFrom, version);
      // Never had a session: the credentials themselves are wrong. Fail fast, never retry on our own.
      ended = loginError;
      throw loginError;
    }
    return saveTokens(result.input, result.sentAt, startedFrom, version, 'login');
  }

  /** The body of one flight; under the store's lock when it has one (cross-process single flight). */
  async function fly(kind: FlightKind, staleGeneration: number, refresher: Refresher | undefined): Promise<TokenSet> {
    const version = shared.version;
    const current = await read();
    // Double-checked: someone (another request, attachment or process) may have stored newer tokens.
    if (current?.accessToken && generation > staleGeneration && !isExpired(current)) {
      log('adopted tokens stored meanwhile');
      return current;
    }
    if (kind === 'login') return loginOrEnd(undefined, false, current, version);
    if (!current?.refreshToken) {
      return loginOrEnd(new SessionExpiredError('No refresh token is stored'), !!current?.accessToken, current, version);
    }
    if (!refresher) {
      // A refresh token goes only to a GraphQL endpoint known to issue it (docs/configuration.md, `url`).
      throw new TokenRefreshError(
        'No GraphQL endpoint is known to refresh at: this attachment has no `url` or `refresh` of its own and no attachment on its token store has sent a GraphQL request yet',
      );
    }
    let result;
    try {
      result = await runRefresh(refresher.refresh, current.refreshToken);
    } catch (error) {
      if (isTransientFailure(error)) throw transient(error, 'refresh', [current.refreshToken, current.accessToken]);
      log('refresh rejected by the server');
      return loginOrEnd(error, true, current, version);
    }
    return saveTokens(result.input, result.sentAt, current, version, 'refresh');
  }

  /**
   * Who refreshes: this attachment if it knows its GraphQL endpoint (configured, or confirmed by a
   * GraphQL request it sent there); else one that does on the same store; else — only when no
   * request asked (the caller's own `refresh()`) — this attachment's default endpoint.
   */
  function chooseRefresher(trigger: unknown): Refresher | undefined {
    if (!confirmed && trigger !== undefined && deps.confirms(trigger)) confirmed = true;
    if (confirmed) return own;
    return shared.trustedRefresher() ?? (trigger === undefined ? own : undefined);
  }

  /** Joins the flight in progress or starts one. `hold` keeps new requests at the gate meanwhile. */
  function obtain(kind: FlightKind, staleGeneration: number, hold: boolean, trigger?: unknown): Promise<TokenSet> {
    let flight = shared.flight;
    if (!flight) {
      const refresher = kind === 'refresh' ? chooseRefresher(trigger) : undefined;
      const run = () => fly(kind, staleGeneration, refresher);
      const started: Promise<TokenSet> = (store.lock ? store.lock(run) : run()).finally(() => {
        if (shared.flight === started) shared.flight = null;
        if (shared.heldFlight === started) shared.heldFlight = null;
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

  /** The newest token known right now, and its generation, read together (no await between). */
  const current = (tokens: TokenSet | null): RequestTokens => ({ token: tokens?.accessToken ? lastToken : undefined, generation });

  return {
    read,
    current: (): RequestTokens => ({ token: lastToken, generation }),

    /**
     * The tokens a request is sent with (request interceptor): waits at the gate — a request held
     * for a flight shares that flight's outcome, failure included — logs in, refreshes an expired
     * token, starts a background refresh of one about to expire.
     */
    async forRequest(wait: Patience, onQueued: () => void, request: unknown): Promise<RequestTokens> {
      if (ended) await assertAlive();
      const flight = shared.heldFlight;
      const held = shared.gate.pass(wait.signal, wait.deadline);
      if (held) {
        onQueued();
        await held;
        if (flight) await flight; // its failure is this request's: no second refresh, no send with a dead token
        if (ended) await assertAlive();
      }
      let tokens = await read();
      if (!tokens?.accessToken) {
        if (options.login) tokens = await waitFor(obtain('login', generation, true, request), wait.signal, wait.deadline);
      } else if (isExpired(tokens)) {
        if (tokens.refreshToken || options.login) tokens = await waitFor(obtain('refresh', generation, true, request), wait.signal, wait.deadline);
      } else if (isDue(tokens) && backgroundFor !== generation && tokens.refreshToken && chooseRefresher(request)) {
        backgroundFor = generation;
        obtain('refresh', generation, false, request).catch((error) => log('background refresh failed', { error: (error as Error)?.name }));
      }
      return current(tokens);
    },

    /**
     * Tokens newer than those a request was sent with (response interceptor). Adopts a newer stored
     * token without refreshing (late answers); otherwise joins or starts the one refresh.
     * Resolves `null` when there is nothing to refresh with and no login.
     */
    async newerThan(sentGeneration: number, wait: Patience, request: unknown): Promise<RequestTokens | null> {
      if (ended) await assertAlive();
      let tokens = await read();
      const fresh = tokens?.accessToken && generation > sentGeneration && !isExpired(tokens);
      if (!fresh) {
        if (!tokens?.accessToken && !options.login) return null;
        tokens = await waitFor(obtain(tokens?.accessToken ? 'refresh' : 'login', generation, true, request), wait.signal, wait.deadline);
      }
      return tokens?.accessToken && lastToken ? current(tokens) : null;
    },

    /** Starts (or joins) a refresh for the requests that follow, without waiting for it. */
    refreshSoon(sentGeneration: number, request: unknown): void {
      if (sentGeneration < generation) return;
      obtain('refresh', generation, true, request).catch((error) => log('refresh failed', { error: (error as Error)?.name }));
    },

    /** Holds the gate for `ms` (a rate limit): nothing is sent meanwhile. Overlapping pauses coalesce. */
    pauseFor: (ms: number) => shared.gate.pause(ms),

    /** Waits until the gate is open; `undefined` when it is open. */
    passGate: (wait: Patience) => shared.gate.pass(wait.signal, wait.deadline),

    async refresh(): Promise<TokenSet> {
      await read();
      return obtain('refresh', generation, true);
    },

    async login(): Promise<TokenSet> {
      if (!options.login) throw new TypeError('Expected `options.login` to be a function: `login()` needs it');
      if (shared.flight) await shared.flight.catch(() => {});
      ended = null;
      // Infinity: never adopt what is stored; the caller asked to log in.
      return obtain('login', Number.POSITIVE_INFINITY, true);
    },

    async setTokens(input: TokenInput | null): Promise<void> {
      if (input !== null) assertTokenInput(input, 'tokens');
      await write(input === null ? null : normalizeTokens(input, Date.now()));
      if (input === null) {
        // A logout here ends the session of every other attachment on the store (they hear it once).
        shared.end(new SessionExpiredError('The session was ended by a logout (tokens cleared by another attachment)'), member);
        ended = null;
      } else shared.revive();
    },

    /** Leaves the store's coordinator (detach). */
    leave,
  };
}
