// Diagnostics channels (docs/observability.md): events for operators, published on Node's
// `node:diagnostics_channel`, the convention undici (`undici:request:*`) and got
// (`got:request:retry`) follow and OpenTelemetry / APM agents subscribe to.
//
// - Loaded only where it exists: `process.getBuiltinModule` (Node ≥ 20.16 / 22.3, Bun, Deno), else
//   `require` in the CommonJS build, else a dynamic import whose specifier bundlers cannot see. In
//   browsers nothing is loaded and every publish is a no-op.
// - Nothing is built when nobody subscribes: publishers take a message or a function building it,
//   called only when `channel.hasSubscribers`.
// - No message holds a token, a refresh token, a password, a request body or an error object (an
//   axios error's config carries the Authorization header): only names, counts, codes and times.

import { operationsOf } from './policy/replay-safety';

/** The channel names, one per event. */
export const DIAGNOSTICS_CHANNELS = {
  refreshStart: 'axios-graphql-refresh:refresh:start',
  refreshEnd: 'axios-graphql-refresh:refresh:end',
  refreshError: 'axios-graphql-refresh:refresh:error',
  replay: 'axios-graphql-refresh:replay',
  held: 'axios-graphql-refresh:held',
  rateLimited: 'axios-graphql-refresh:rate-limited',
  sessionExpired: 'axios-graphql-refresh:session-expired',
} as const;

/** What started a refresh or a login. */
export type RefreshReason = 'unauthenticated' | 'expired' | 'proactive' | 'manual' | 'no-token';

/** Published on `axios-graphql-refresh:refresh:start` when a refresh or login flight begins. */
export interface RefreshStartMessage {
  /** `login` when the flight runs the login (no tokens, or the refresh token was rejected). */
  kind: 'refresh' | 'login';
  /** The token generation the flight started from (increments with every stored token). */
  generation: number;
  /** 1 for the first try of this flight, 2 for its first retry, … */
  attempt: number;
  /** The GraphQL operation whose answer triggered it, when one did. */
  operation?: string | undefined;
  reason?: RefreshReason | undefined;
}

/** Published on `axios-graphql-refresh:refresh:end` when a flight stored new tokens. */
export interface RefreshEndMessage {
  kind: 'refresh' | 'login';
  /** The generation of the tokens now stored. */
  generation: number;
  /** Tries it took (1 = no retry). */
  attempt: number;
  durationMs: number;
  /** When the new access token expires (epoch ms), if the server said. */
  expiresAt?: number | undefined;
  operation?: string | undefined;
}

/** Published on `axios-graphql-refresh:refresh:error` when a flight failed. */
export interface RefreshErrorMessage {
  kind: 'refresh' | 'login';
  generation: number;
  attempt: number;
  durationMs: number;
  /** The library error's name and code (e.g. `TokenRefreshError` / `REFRESH_FAILED`), never the error itself. */
  errorName: string;
  errorCode?: string | undefined;
  /** Whether the session ended because of it (a `session-expired` event follows). */
  sessionEnded: boolean;
  operation?: string | undefined;
}

/** Why a request was sent again. */
export type ReplayReason = 'unauthenticated' | 'stale-token' | 'rate-limited' | 'transient';

/** Published on `axios-graphql-refresh:replay` each time a request is sent again. */
export interface ReplayMessage {
  operation?: string | undefined;
  /** How many times this request has been resent, this one included: OpenTelemetry's `http.request.resend_count`. */
  resendCount: number;
  reason: ReplayReason;
  /** The token generation the replay carries. */
  generation: number;
  method?: string | undefined;
}

/** Published on `axios-graphql-refresh:held` when a request held while a refresh ran is released. */
export interface HeldMessage {
  operation?: string | undefined;
  /** How long it waited before being sent. */
  durationMs: number;
  /** The generation it is sent with. */
  generation: number;
}

/**
 * Published on `axios-graphql-refresh:rate-limited` when a request waits for a rate limit: the server
 * declined it and it will be sent again after `delayMs` (`reason: 'declined'`), or pacing holds it for
 * about a second or more before it is sent (`reason: 'paced'`; docs/rate-limits.md, "watching waits").
 */
export interface RateLimitedMessage {
  operation?: string | undefined;
  reason: 'declined' | 'paced';
  /** A decline's status: `429` (HTTP, IP limit) or the status of a GraphQL `RATE_LIMITED` answer (NextSchool: 200). */
  status?: number | undefined;
  /** The wait: what the server asked for (`Retry-After`, `extensions.retryAfter`), or what pacing expects. */
  delayMs: number;
  /** 1 for the first wait of this request, … (declines are bounded by `maxRateLimitWaits`). */
  attempt: number;
  /** Requests of this attachment waiting to be admitted, this one included (paced waits). */
  waiting?: number | undefined;
}

/** Why a session ended. */
export type SessionEndReason = 'refresh-rejected' | 'login-rejected' | 'no-login' | 'cleared-elsewhere' | 'logout';

/** Published on `axios-graphql-refresh:session-expired` once per ended session. */
export interface SessionExpiredMessage {
  reason: SessionEndReason;
  /** The generation of the tokens that were dropped. */
  generation: number;
}

interface Channel {
  readonly hasSubscribers: boolean;
  publish(message: unknown): void;
}
interface DiagnosticsChannelModule {
  channel(name: string): Channel;
}

// The module reference is process-wide by nature (channels are looked up by name, so two copies of
// this package publish on the same channels); it holds no plugin state.
let loaded: DiagnosticsChannelModule | null | undefined;
const channels = new Map<string, Channel>();

interface NodeLikeProcess {
  versions?: { node?: string };
  getBuiltinModule?: (id: string) => unknown;
}
declare const require: ((id: string) => unknown) | undefined;

function load(): DiagnosticsChannelModule | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  const proc = (globalThis as { process?: NodeLikeProcess }).process;
  if (!proc?.versions?.node) return loaded; // browsers, workers, edge runtimes without Node APIs
  // Built at run time so that no bundler resolves it into a browser build.
  const id = ['node', 'diagnostics_channel'].join(':');
  try {
    const viaBuiltin = proc.getBuiltinModule?.(id) as DiagnosticsChannelModule | undefined;
    if (viaBuiltin) return (loaded = viaBuiltin);
  } catch {
    /* try the next way */
  }
  try {
    // A bundler's ESM output may define `require` as a shim that throws: then import below.
    if (typeof require === 'function') return (loaded = require(id) as DiagnosticsChannelModule);
  } catch {
    /* try the next way */
  }
  // ESM on Node before 20.16: asynchronous, so events of the first tick may be missed.
  import(/* webpackIgnore: true */ /* @vite-ignore */ id).then(
    (mod: DiagnosticsChannelModule) => {
      loaded = mod;
    },
    () => {},
  );
  return null;
}

function channelOf(name: string): Channel | undefined {
  let channel = channels.get(name);
  if (!channel) {
    const dc = load();
    if (!dc) return undefined;
    channel = dc.channel(name);
    channels.set(name, channel);
  }
  return channel;
}

function publish<T>(name: string, message: T | (() => T)): void {
  const channel = channelOf(name);
  if (!channel?.hasSubscribers) return;
  channel.publish(typeof message === 'function' ? (message as () => T)() : message);
}

/**
 * The operation name(s) of a request, for messages: `Students`, `A,B` for a batch, `undefined` when
 * unnamed or unreadable. Parses the body: call it inside a message builder, never up front.
 *
 * @example
 * ```ts
 * publishReplay(() => ({ operation: operationNameOf(config), resendCount: 1, reason: 'unauthenticated', generation }));
 * ```
 */
export function operationNameOf(request: unknown): string | undefined {
  try {
    const names = operationsOf(request as Parameters<typeof operationsOf>[0])
      .map((op) => op?.name)
      .filter((name): name is string => !!name);
    return names.length ? names.join(',') : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether anyone listens on a channel: lets a caller skip work (reading the operation name) when not.
 *
 * @example
 * ```ts
 * if (hasDiagnosticsSubscribers('replay')) publishReplay({ operation: operationOf(config), resendCount, reason, generation });
 * ```
 */
export function hasDiagnosticsSubscribers(event: keyof typeof DIAGNOSTICS_CHANNELS): boolean {
  return channelOf(DIAGNOSTICS_CHANNELS[event])?.hasSubscribers ?? false;
}

/**
 * Publishes `axios-graphql-refresh:refresh:start`.
 *
 * @example
 * ```ts
 * publishRefreshStart(() => ({ kind: 'refresh', generation, attempt: 1, operation, reason: 'unauthenticated' }));
 * ```
 */
export function publishRefreshStart(message: RefreshStartMessage | (() => RefreshStartMessage)): void {
  publish(DIAGNOSTICS_CHANNELS.refreshStart, message);
}

/**
 * Publishes `axios-graphql-refresh:refresh:end`.
 *
 * @example
 * ```ts
 * publishRefreshEnd(() => ({ kind: 'refresh', generation: generation + 1, attempt, durationMs: Date.now() - startedAt, expiresAt }));
 * ```
 */
export function publishRefreshEnd(message: RefreshEndMessage | (() => RefreshEndMessage)): void {
  publish(DIAGNOSTICS_CHANNELS.refreshEnd, message);
}

/**
 * Publishes `axios-graphql-refresh:refresh:error`.
 *
 * @example
 * ```ts
 * publishRefreshError(() => ({ kind: 'refresh', generation, attempt, durationMs, errorName: error.name, errorCode: error.code, sessionEnded: false }));
 * ```
 */
export function publishRefreshError(message: RefreshErrorMessage | (() => RefreshErrorMessage)): void {
  publish(DIAGNOSTICS_CHANNELS.refreshError, message);
}

/**
 * Publishes `axios-graphql-refresh:replay`.
 *
 * @example
 * ```ts
 * publishReplay(() => ({ operation, resendCount: 1, reason: 'unauthenticated', generation, method: 'post' }));
 * ```
 */
export function publishReplay(message: ReplayMessage | (() => ReplayMessage)): void {
  publish(DIAGNOSTICS_CHANNELS.replay, message);
}

/**
 * Publishes `axios-graphql-refresh:held`.
 *
 * @example
 * ```ts
 * publishHeld(() => ({ operation, durationMs: Date.now() - heldSince, generation }));
 * ```
 */
export function publishHeld(message: HeldMessage | (() => HeldMessage)): void {
  publish(DIAGNOSTICS_CHANNELS.held, message);
}

/**
 * Publishes `axios-graphql-refresh:rate-limited`.
 *
 * @example
 * ```ts
 * publishRateLimited(() => ({ operation, reason: 'declined', status: 429, delayMs: 30_000, attempt: 1 }));
 * ```
 */
export function publishRateLimited(message: RateLimitedMessage | (() => RateLimitedMessage)): void {
  publish(DIAGNOSTICS_CHANNELS.rateLimited, message);
}

/**
 * Publishes `axios-graphql-refresh:session-expired`.
 *
 * @example
 * ```ts
 * publishSessionExpired({ reason: 'refresh-rejected', generation });
 * ```
 */
export function publishSessionExpired(message: SessionExpiredMessage | (() => SessionExpiredMessage)): void {
  publish(DIAGNOSTICS_CHANNELS.sessionExpired, message);
}
