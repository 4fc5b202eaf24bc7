import type { ResolvedOptions } from '../config/options';
import {
  operationNameOf,
  publishRateLimited,
  publishRefreshEnd,
  publishRefreshError,
  publishRefreshStart,
  type RefreshReason,
  type SessionEndReason,
} from '../diagnostics';
import { GraphQLRequestError } from '../errors/graphql-request-error';
import { isLoginError, LoginError } from '../errors/login-error';
import { isSessionExpiredError, SessionExpiredError } from '../errors/session-expired-error';
import { isTokenRefreshError, TokenRefreshError } from '../errors/token-refresh-error';
import { failureKind, isTransientFailure } from '../policy/classify';
import { assertTokenInput, isExpired, normalizeTokens } from '../stores/tokens';
import type { TokenInput, TokenRefreshStats, TokenSet } from '../types';
import { redactAxiosError, redactText } from '../util/redact';
import { sleep, withDeadline } from '../util/timers';
import { type Ticket, takeWhenRoom } from './budget';
import type { Coordinator, Refresher } from './coordinator';
import type { TokenView } from './token-view';

// The body of one flight: a refresh, or a login (also as the fallback of a rejected refresh), and
// what its outcome does to the session (docs/how-it-works.md, "when the refresh fails"). Writes are
// conditional: the result is stored, or the tokens cleared, only if the store still holds what the
// flight started from — a `setTokens` made meanwhile is never overwritten by an older flight.

export type FlightKind = 'refresh' | 'login';

/** Why a flight was started, and by which request (for the diagnostics channels only). */
export interface FlightCause {
  reason: RefreshReason;
  request?: unknown;
}

/** What one flight did, for its diagnostics: which call ran last, and how many tries. */
interface Trace {
  cause: FlightCause;
  kind?: FlightKind;
  attempt: number;
}

export interface FlightDeps {
  view: TokenView;
  shared: Coordinator;
  options: ResolvedOptions;
  stats: TokenRefreshStats;
  log: (message: string, meta?: object) => void;
  /** The attachment's `onRefresh` hook, called safely. */
  refreshed(tokens: TokenSet): void;
  /** Wrong credentials and never a session: this attachment fails fast with `error` until told otherwise. */
  loginFailed(error: LoginError): void;
}

/** What the flight started from: the tokens read, the write counter at that moment, and its trace. */
interface Origin {
  tokens: TokenSet | null;
  version: number;
  trace: Trace;
}

/** One try of a refresh or login begins (diagnostics; built only when someone listens). */
function started(deps: FlightDeps, trace: Trace, kind: FlightKind, attempt: number): void {
  trace.kind = kind;
  trace.attempt = attempt;
  publishRefreshStart(() => ({
    kind,
    generation: deps.view.generation,
    attempt,
    operation: operationNameOf(trace.cause.request),
    reason: trace.cause.reason,
  }));
}

/** A failure that is not the server's verdict, as a TokenRefreshError: transient, or permanent (not retried; docs/errors.md). */
function unavailable(error: unknown, what: string, secrets: Array<string | undefined>): TokenRefreshError {
  if (isTokenRefreshError(error)) return error;
  const detail = error instanceof Error ? redactText(error.message, secrets) : 'unknown error';
  return new TokenRefreshError(`The ${what} failed: ${detail}`, {
    cause: redactAxiosError(error, { secretBody: true, secrets: secrets.filter((s): s is string => !!s) }),
    code: failureKind(error) === 'permanent' ? 'REFRESH_MISCONFIGURED' : 'REFRESH_FAILED',
  });
}

/** The flight's result was discarded (tokens changed meanwhile): continue with what the store holds now. */
async function adoptCurrent(deps: FlightDeps): Promise<TokenSet> {
  const now = await deps.view.read();
  if (now?.accessToken) return now;
  throw new SessionExpiredError('The tokens were cleared while the refresh ran');
}

/** Ends the session for every attachment on the store — if the store still holds what the flight started from. */
async function endSession(deps: FlightDeps, cause: unknown, from: Origin): Promise<TokenSet> {
  if (!(await deps.view.writeIf(from.tokens, null, from.version))) {
    deps.log('tokens changed during the flight: the session goes on with them');
    return adoptCurrent(deps);
  }
  const reason: SessionEndReason = isLoginError(cause)
    ? 'login-rejected'
    : cause !== undefined && !isSessionExpiredError(cause)
      ? 'refresh-rejected'
      : 'no-login';
  const secrets = [from.tokens?.refreshToken, from.tokens?.accessToken];
  const error = new SessionExpiredError(endMessage(reason, cause, secrets), { cause: redactAxiosError(cause, { secretBody: true }) });
  deps.shared.end(error, undefined, reason, from.tokens ? deps.view.generation : 0);
  throw error;
}

/** Says what ended the session (docs/errors.md): the server's words, when it gave any, without a secret. */
function endMessage(reason: SessionEndReason, cause: unknown, secrets: Array<string | undefined>): string {
  const said = cause instanceof Error && cause.message ? ` (${redactText(cause.message, secrets)})` : '';
  if (reason === 'login-rejected') return `The session has expired and the login that was to renew it was rejected${said}`;
  if (reason === 'refresh-rejected')
    return `The session has expired: the server rejected the refresh token${said} and no \`login\` is configured to replace it`;
  return 'The session has expired: no refresh token is stored and no `login` is configured';
}

async function saveTokens(deps: FlightDeps, input: TokenInput, sentAt: number, from: Origin, what: string): Promise<TokenSet> {
  if (!input || typeof input !== 'object' || typeof input.accessToken !== 'string' || input.accessToken === '') {
    throw new GraphQLRequestError([{ message: `The ${what} returned no accessToken` }]);
  }
  assertTokenInput(input, `${what} result`);
  const tokens = normalizeTokens(input, sentAt, from.tokens);
  if (!(await deps.view.writeIf(from.tokens, tokens, from.version))) {
    deps.log(`${what} result discarded: the tokens changed while it ran`);
    return adoptCurrent(deps);
  }
  deps.shared.revive();
  deps.log(`${what} succeeded`, { expiresAt: tokens.expiresAt });
  deps.refreshed({ ...tokens });
  return tokens;
}

/**
 * A login or refresh the server declined for its rate limit is waited out once — never hammered
 * (NextSchool allows five logins a minute per IP). The gate stays held meanwhile.
 */
async function onceMoreAfterRateLimit<T>(deps: FlightDeps, what: string, attempt: () => Promise<T>): Promise<T> {
  try {
    return await attempt();
  } catch (error) {
    const wait = (error as { retryAfterMs?: unknown })?.retryAfterMs;
    if (typeof wait !== 'number' || wait > deps.options.maxRateLimitDelayMs) throw error;
    deps.log(`${what} declined by a rate limit; waiting once`, { delayMs: wait });
    await sleep(wait);
    return attempt();
  }
}

/** Sends the refresh within its own deadline; a transient failure is retried unless refresh tokens rotate. */
async function runRefresh(
  deps: FlightDeps,
  trace: Trace,
  refresh: Refresher['refresh'],
  refreshToken: string,
): Promise<{ input: TokenInput; sentAt: number }> {
  deps.stats.refreshes++;
  deps.log('refreshing the access token');
  // With rotation, a retry could spend a token the server already replaced.
  const retry = deps.options.rotatingRefreshTokens ? false : deps.options.retry;
  const attempts = retry ? 1 + retry.retries : 1;
  let sentAt = Date.now();
  const input = await onceMoreAfterRateLimit(deps, 'refresh', () =>
    withDeadline(deps.options.refreshTimeoutMs, 'refresh', async (signal) => {
      for (let attempt = 1; ; attempt++) {
        sentAt = Date.now();
        started(deps, trace, 'refresh', attempt);
        try {
          return await refresh({ refreshToken, signal });
        } catch (error) {
          if (!retry || attempt >= attempts || signal.aborted || !isTransientFailure(error)) throw error;
          const delay = retry.retryDelay(attempt, error);
          deps.log('refresh failed for a transient reason; retrying', { attempt, delay });
          await sleep(delay, signal);
        }
      }
    }),
  );
  return { input, sentAt };
}

/**
 * A login's place in the store's login budget (`rateLimit.logins`; NextSchool allows 5 a minute),
 * taken before its own deadline starts. A wait of about a second or more is announced once
 * (docs/rate-limits.md, "watching waits").
 */
function loginTurn(deps: FlightDeps, attempt: number): Promise<Ticket> | undefined {
  const limits = deps.options.rateLimit ? deps.options.rateLimit.logins : undefined;
  if (!limits) return undefined;
  return takeWhenRoom(deps.shared.budget('logins', limits.intervalCap, limits.interval), (delayMs) => {
    if (delayMs < 1_000) return;
    deps.stats.paced++;
    deps.log('the login waits for the login rate limit', { delayMs: Math.round(delayMs) });
    publishRateLimited(() => ({ operation: 'login', reason: 'paced', delayMs: Math.round(delayMs), attempt }));
  });
}

async function runLogin(deps: FlightDeps, trace: Trace): Promise<Sent> {
  deps.stats.logins++;
  deps.log('logging in');
  let sentAt = Date.now();
  let attempt = 0;
  const input = await onceMoreAfterRateLimit(deps, 'login', async () => {
    const ticket = await loginTurn(deps, attempt + 1);
    try {
      sentAt = Date.now();
      started(deps, trace, 'login', ++attempt);
      return await withDeadline(deps.options.refreshTimeoutMs, 'login', (signal) => deps.options.login!({ signal }));
    } finally {
      ticket?.answered();
    }
  });
  return { input, sentAt };
}

/** What a refresh or login returned, and when it was sent (its expiry counts from then). */
type Sent = { input: TokenInput; sentAt: number };

/** Login (no tokens, or the fallback of a rejected refresh): rejected again → the session ends. */
async function loginOrEnd(deps: FlightDeps, rejection: unknown, hadSession: boolean, from: Origin): Promise<TokenSet> {
  if (!deps.options.login) return endSession(deps, rejection, from);
  let result: Sent;
  try {
    result = await runLogin(deps, from.trace);
  } catch (error) {
    if (failureKind(error) !== 'verdict') throw unavailable(error, 'login', []);
    // A login with nothing to log in with (no credentials here) is no session, not rejected
    // credentials: the session ends, or there never was one — never a fail-fast LoginError.
    if (isSessionExpiredError(error)) {
      if (hadSession) return endSession(deps, error, from);
      throw error;
    }
    const loginError = isLoginError(error)
      ? error
      : new LoginError(error instanceof Error ? error.message : 'Login rejected', { cause: error });
    if (hadSession) return endSession(deps, loginError, from);
    // Never had a session: the credentials themselves are wrong. Fail fast, never retry on our own.
    deps.loginFailed(loginError);
    throw loginError;
  }
  return saveTokens(deps, result.input, result.sentAt, from, 'login');
}

/** One flight; under the store's lock when it has one (cross-process single flight). Published on the diagnostics channels. */
export async function fly(
  deps: FlightDeps,
  kind: FlightKind,
  staleGeneration: number,
  refresher: Refresher | undefined,
  cause: FlightCause,
): Promise<TokenSet> {
  const trace: Trace = { cause, attempt: 0 };
  const since = Date.now();
  try {
    const tokens = await flyTraced(deps, kind, staleGeneration, refresher, trace);
    if (trace.kind) {
      const { attempt } = trace;
      publishRefreshEnd(() => ({
        kind: trace.kind!,
        generation: deps.view.generation,
        attempt,
        durationMs: Date.now() - since,
        expiresAt: tokens.expiresAt,
        operation: operationNameOf(cause.request),
      }));
    }
    return tokens;
  } catch (error) {
    if (trace.kind) {
      const e = error as { name?: string; code?: string };
      publishRefreshError(() => ({
        kind: trace.kind!,
        generation: deps.view.generation,
        attempt: trace.attempt,
        durationMs: Date.now() - since,
        errorName: String(e?.name ?? 'Error'),
        errorCode: typeof e?.code === 'string' ? e.code : undefined,
        sessionEnded: e?.name === 'SessionExpiredError',
        operation: operationNameOf(cause.request),
      }));
    }
    throw error;
  }
}

async function flyTraced(
  deps: FlightDeps,
  kind: FlightKind,
  staleGeneration: number,
  refresher: Refresher | undefined,
  trace: Trace,
): Promise<TokenSet> {
  const from: Origin = { version: deps.shared.version, tokens: await deps.view.read(), trace };
  const current = from.tokens;
  // Double-checked: someone (another request, attachment or process) may have stored newer tokens.
  if (current?.accessToken && deps.view.generation > staleGeneration && !isExpired(current)) {
    deps.log('adopted tokens stored meanwhile');
    return current;
  }
  if (kind === 'login') return loginOrEnd(deps, undefined, false, from);
  if (!current?.refreshToken) return loginOrEnd(deps, new SessionExpiredError('No refresh token is stored'), !!current?.accessToken, from);
  if (!refresher) {
    // A refresh token goes only to a GraphQL endpoint (docs/configuration.md, "refresh endpoint").
    throw new TokenRefreshError(
      'No GraphQL endpoint is known to refresh at: this attachment has no `url` or `refresh` of its own and no attachment on its token store can refresh',
      { code: 'REFRESH_MISCONFIGURED' },
    );
  }
  let result: Sent;
  try {
    result = await runRefresh(deps, from.trace, refresher.refresh, current.refreshToken);
  } catch (error) {
    if (failureKind(error) !== 'verdict') throw unavailable(error, 'refresh', [current.refreshToken, current.accessToken]);
    deps.log('refresh rejected by the server');
    return loginOrEnd(deps, error, true, from);
  }
  return saveTokens(deps, result.input, result.sentAt, from, 'refresh');
}
