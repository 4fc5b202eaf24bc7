import type { ResolvedOptions } from '../config/options';
import { SessionExpiredError } from '../errors/session-expired-error';
import { assertTokenInput, isExpired, normalizeTokens } from '../stores/tokens';
import type { RefreshContext, TokenInput, TokenRefreshStats, TokenSet, TokenStore } from '../types';
import { type Patience, waitFor } from '../util/cancel';
import type { Budget } from './budget';
import { type Coordinator, coordinatorFor, type Member, type Refresher, type Standing } from './coordinator';
import { type FlightCause, type FlightDeps, type FlightKind, fly } from './flight';
import type { Gate } from './gate';
import { type RequestTokens, TokenView } from './token-view';

// The token lifecycle of one attachment (docs/how-it-works.md): what a request is sent with, the
// one flight per store it starts or joins, who may refresh (docs/configuration.md, "refresh
// endpoint"), and this attachment's part in the shared session — it hears a session end once,
// whoever caused it, and fails fast until tokens are set again.

export type { RequestTokens } from './token-view';

export interface SessionDeps {
  store: TokenStore;
  options: ResolvedOptions;
  refresh: (ctx: RefreshContext) => Promise<TokenInput>;
  /** The refresh is the user's own or targets a configured `url`: trusted from the start. */
  explicitRefresh: boolean;
  /** What a request says of this attachment's refresh endpoint. */
  judge: (request: unknown) => 'graphql' | 'other' | 'foreign';
  /** The origin of this attachment's refresh endpoint (read when needed: `baseURL` may change). */
  endpointOrigin: () => string | undefined;
  log: (message: string, meta?: object) => void;
  stats: TokenRefreshStats;
}

export class Session implements Member {
  readonly #deps: SessionDeps;
  readonly #shared: Coordinator;
  readonly #view: TokenView;
  readonly #flight: FlightDeps;
  /** Set when this attachment's session ended; requests fail fast with a copy until tokens are set. */
  #ended: Error | null = null;
  /** What this attachment knows of its refresh endpoint (see coordinator.ts). */
  #standing: Standing;
  /** The generation a background refresh was started for (once per generation). */
  #backgroundFor = -1;
  /** The token an answer declared dead, and the refresh it started or joined, while that runs (see {@link Session.deadToken}). */
  #dead: { token: string; flight: Promise<unknown> } | undefined;
  readonly #own: Refresher;
  /** Leaves the store's coordinator (detach). */
  readonly leave: () => void;

  constructor(deps: SessionDeps) {
    this.#deps = deps;
    this.#shared = coordinatorFor(deps.store);
    this.#view = new TokenView(deps.store, this.#shared);
    this.#standing = deps.explicitRefresh ? 2 : 1;
    this.#own = { refresh: deps.refresh, standing: () => this.#standing, origin: deps.endpointOrigin };
    this.#flight = {
      view: this.#view,
      shared: this.#shared,
      options: deps.options,
      stats: deps.stats,
      log: deps.log,
      refreshed: (tokens) => this.#safeCall(deps.options.onRefresh, tokens, 'onRefresh'),
      loginFailed: (error) => (this.#ended = error),
    };
    this.leave = this.#shared.join(this, this.#own);
  }

  /** The session ended (here or elsewhere): the hook fires once, requests fail fast. */
  ended(error: Error): void {
    if (this.#ended) return;
    this.#ended = error;
    this.#deps.stats.sessionExpired++;
    this.#deps.log('session expired', { cause: (error as { cause?: Error }).cause?.name });
    this.#safeCall(this.#deps.options.onSessionExpired, error as SessionExpiredError, 'onSessionExpired');
  }

  revived(): void {
    this.#ended = null;
  }

  #safeCall<A>(hook: ((arg: A) => void) | undefined, arg: A, name: string): void {
    if (!hook) return;
    try {
      hook(arg);
    } catch (error) {
      this.#deps.log(`${name} hook threw; ignored`, { error: (error as Error)?.name });
    }
  }

  /** Fails fast once the session has ended, unless tokens were stored since (by anyone, anywhere). */
  async #assertAlive(): Promise<void> {
    const ended = this.#ended;
    if (!ended) return;
    const tokens = await this.#view.read();
    if (tokens?.accessToken) {
      this.#ended = null;
      return;
    }
    throw this.#copyOfEnd(ended); // a copy per caller, of the same class
  }

  /** What a request tells of this attachment's endpoint: a GraphQL request confirms it, any other disproves it. */
  #learn(request: unknown): void {
    if (this.#standing === 2 || request === undefined) return;
    const verdict = this.#deps.judge(request);
    if (verdict === 'graphql') this.#standing = 2;
    else if (verdict === 'other') {
      this.#standing = 0;
      this.#shared.notGraphQL(this.#deps.endpointOrigin()); // every attachment whose endpoint is there, detached or new, learns it too
    }
  }

  /**
   * Who refreshes: this attachment if its endpoint is known to be GraphQL; else the attachment on
   * the store that knows most (never one whose endpoint took a non-GraphQL request: a REST API must
   * not receive the refresh token); the caller's own `refresh()` falls back to this one.
   */
  #chooseRefresher(trigger: unknown): Refresher | undefined {
    this.#learn(trigger);
    const standing = this.#shared.standingOf(this.#own);
    if (standing === 2) return this.#own;
    const best = this.#shared.bestRefresher(1);
    if (best && (best === this.#own || this.#shared.standingOf(best) > standing)) return best;
    if (standing === 1) return this.#own;
    return trigger === undefined ? (best ?? this.#own) : best;
  }

  /** Joins the flight in progress or starts one. `hold` keeps new requests at the gate meanwhile. */
  #obtain(
    kind: FlightKind,
    staleGeneration: number,
    hold: boolean,
    trigger?: unknown,
    reason: FlightCause['reason'] = 'unauthenticated',
  ): Promise<TokenSet> {
    const shared = this.#shared;
    let flight = shared.flight;
    if (!flight) {
      const refresher = kind === 'refresh' ? this.#chooseRefresher(trigger) : undefined;
      const run = () => fly(this.#flight, kind, staleGeneration, refresher, { reason, request: trigger });
      const store = this.#deps.store;
      if (shared.draining) this.#deps.log(`the ${kind} waits for the one superseded by setTokens to end`);
      // The store's lock learns how long the refresh may wait for its answer: it hands the lock to
      // another holder only after that, so a late answer is stored, not a spent token presented
      // again (docs/scaling.md, "a lease lock").
      const lockOptions = { refreshTimeoutMs: this.#deps.options.refreshTimeoutMs };
      flight = shared.startFlight(() => (store.lock ? store.lock(run, lockOptions) : run()));
    }
    if (hold) shared.holdFor(flight);
    if (kind === 'refresh' && reason === 'unauthenticated') this.#markDead(flight);
    // The flight may belong to another attachment on this store: its tokens become this one's newest too.
    return flight.then((tokens) => {
      this.#view.observe(tokens);
      return tokens;
    });
  }

  read(): Promise<TokenSet | null> {
    return this.#view.read();
  }

  /** The newest token known right now (none after a logout) and its generation. */
  current(): RequestTokens {
    return this.#view.current();
  }

  /** What the store holds now (another attachment may have written it), as a request would be sent with; throws if the session ended. */
  async latest(): Promise<RequestTokens> {
    if (this.#ended) await this.#assertAlive();
    return this.#view.current(await this.#view.read());
  }

  #copyOfEnd(ended: Error): Error {
    const Ctor = ended.constructor as new (message: string, options?: { cause?: unknown }) => Error;
    return new Ctor(ended.message, { cause: (ended as { cause?: unknown }).cause });
  }

  /** Whether `store.get()` answered with a promise once: then there is no synchronous path. */
  #asyncStore = false;

  /**
   * The common case without a single await (the per-request cost of the plugin, docs/benchmarks.md):
   * nothing holds the gate, the session is alive, the endpoint is known, and a synchronous store
   * holds a token that is neither expired nor due for a background refresh. `undefined` otherwise:
   * then {@link Session.forRequest} does the work.
   */
  fastTokens(): RequestTokens | undefined {
    if (this.#asyncStore || this.#ended || this.#standing === 1 || this.#shared.gate.held) return undefined;
    const got = this.#deps.store.get();
    if (got && typeof (got as Promise<unknown>).then === 'function') {
      this.#asyncStore = true;
      (got as Promise<unknown>).then(undefined, () => {});
      return undefined;
    }
    const tokens = got as TokenSet | null;
    if (!tokens?.accessToken || isExpired(tokens)) return undefined;
    this.#view.observe(tokens);
    if (this.#backgroundFor !== this.#view.generation && this.#isDue(tokens)) return undefined;
    return this.#view.current(tokens);
  }

  /**
   * The tokens a request is sent with (request interceptor): waits at the gate — a request held for
   * a flight shares that flight's outcome, failure included — logs in, refreshes an expired token,
   * starts a background refresh of one about to expire. `onQueued` is called once if the request
   * waits for a flight before it is sent, wherever it waits: at the gate, or for the flight it
   * started or joined in the same tick (docs/observability.md, `held`).
   */
  async forRequest(wait: Patience, onQueued: () => void, request: unknown): Promise<RequestTokens> {
    if (this.#standing === 1) this.#learn(request); // the first request to the endpoint's origin tells what it is
    if (this.#ended) await this.#assertAlive();
    const flight = this.#shared.heldFlight;
    const held = this.#shared.gate.pass(wait.signal, wait.deadline);
    let queued = !!held;
    if (held) {
      onQueued();
      await held;
      if (flight) await flight; // its failure is this request's: no second refresh, no send with a dead token
      if (this.#ended) await this.#assertAlive();
    }
    let tokens = await this.#view.read();
    const generation = this.#view.generation;
    const { login } = this.#deps.options;
    const waitForFlight = (kind: FlightKind, reason: FlightCause['reason']) => {
      if (!queued) (queued = true), onQueued();
      return waitFor(this.#obtain(kind, generation, true, request, reason), wait.signal, wait.deadline);
    };
    if (!tokens?.accessToken) {
      if (login) tokens = await waitForFlight('login', 'no-token');
    } else if (isExpired(tokens)) {
      if (tokens.refreshToken || login) tokens = await waitForFlight('refresh', 'expired');
    } else if (this.#isDue(tokens) && this.#backgroundFor !== generation && tokens.refreshToken && this.#chooseRefresher(request)) {
      this.#backgroundFor = generation;
      this.#obtain('refresh', generation, false, request, 'proactive').catch((error) =>
        this.#deps.log('background refresh failed', { error: (error as Error)?.name }),
      );
    }
    return this.#view.current(tokens);
  }

  /** Within the lead time: `refreshAheadMs`, capped at half the lifetime so short tokens are not refreshed on every request. */
  #isDue(t: TokenSet): boolean {
    if (typeof t.expiresAt !== 'number') return false;
    let lead = this.#deps.options.refreshAheadMs;
    if (typeof t.issuedAt === 'number' && t.expiresAt > t.issuedAt) lead = Math.min(lead, (t.expiresAt - t.issuedAt) / 2);
    return Date.now() >= t.expiresAt - lead;
  }

  /**
   * Tokens newer than those a request was sent with (response interceptor). Adopts a newer stored
   * token without refreshing (late answers); otherwise joins or starts the one refresh.
   * Resolves `null` when there is nothing to refresh with and no login.
   */
  async newerThan(sentGeneration: number, wait: Patience, request: unknown): Promise<RequestTokens | null> {
    if (this.#ended) await this.#assertAlive();
    let tokens = await this.#view.read();
    const fresh = tokens?.accessToken && this.#view.generation > sentGeneration && !isExpired(tokens);
    if (!fresh) {
      if (!tokens?.accessToken && !this.#deps.options.login) return null;
      const kind = tokens?.accessToken ? 'refresh' : 'login';
      tokens = await waitFor(this.#obtain(kind, this.#view.generation, true, request), wait.signal, wait.deadline);
    }
    const now = this.#view.current(tokens);
    return now.token ? now : null;
  }

  /** Notes the newest token as dead until `flight` ends: an answer said so (not a clock, nor the caller). */
  #markDead(flight: Promise<unknown>): void {
    const { token } = this.#view.current();
    if (!token || this.#dead?.flight === flight) return; // the herd's other answers join the same flight
    const mark = { token, flight };
    this.#dead = mark;
    const clear = () => {
      if (this.#dead === mark) this.#dead = undefined;
    };
    flight.then(clear, clear);
  }

  /**
   * The access token an answer declared dead, while the refresh that answer started or joined runs;
   * `undefined` for a refresh started by a clock or by the caller. The default refresh has the
   * herd's answers to it parsed after its own (transport/held-reads.ts).
   */
  deadToken(): string | undefined {
    return this.#dead?.token;
  }

  /** Starts (or joins) a refresh for the requests that follow, without waiting for it. */
  refreshSoon(sentGeneration: number, request: unknown): void {
    if (sentGeneration < this.#view.generation) return;
    this.#obtain('refresh', this.#view.generation, true, request).catch((error) =>
      this.#deps.log('refresh failed', { error: (error as Error)?.name }),
    );
  }

  /** Holds the gate for `ms` (a rate limit): nothing is sent meanwhile. Overlapping pauses coalesce. */
  pauseFor(ms: number): void {
    this.#shared.gate.pause(ms);
  }

  /** The store's gate (a paced attachment's admission queue is paused while it is held). */
  get gate(): Gate {
    return this.#shared.gate;
  }

  /** Requests waiting at the gate for a rate-limit pause now (`stats.waiting`). */
  pausedWaiters(): number {
    return this.#shared.gate.pausedWaiters;
  }

  /** The store's send budget `key` with these limits (shared by every attachment on the store). */
  budget(key: string, limit: number, windowMs: number): Budget {
    return this.#shared.budget(key, limit, windowMs);
  }

  /**
   * The tokens an admitted request leaves with (plugin/admission.ts): it waits at the gate first —
   * a request held for a flight shares that flight's outcome, as in {@link Session.forRequest} —
   * then takes what the store holds now; throws if the session ended.
   */
  async admitted(wait: Patience): Promise<RequestTokens> {
    const flight = this.#shared.heldFlight;
    const held = this.#shared.gate.pass(wait.signal, wait.deadline);
    if (held) {
      await held;
      if (flight) await flight;
    }
    return this.latest();
  }

  /** Waits until the gate is open; `undefined` when it is open. */
  passGate(wait: Patience): Promise<void> | undefined {
    return this.#shared.gate.pass(wait.signal, wait.deadline);
  }

  async refresh(): Promise<TokenSet> {
    await this.#view.read();
    return this.#obtain('refresh', this.#view.generation, true, undefined, 'manual');
  }

  async login(): Promise<TokenSet> {
    if (!this.#deps.options.login) throw new TypeError('Expected `options.login` to be a function: `login()` needs it');
    if (this.#shared.flight) await this.#shared.flight.catch(() => {});
    this.#ended = null;
    // Infinity: never adopt what is stored; the caller asked to log in.
    return this.#obtain('login', Number.POSITIVE_INFINITY, true, undefined, 'manual');
  }

  async setTokens(input: TokenInput | null): Promise<void> {
    if (input !== null) assertTokenInput(input, 'tokens');
    const tokens = input === null ? null : normalizeTokens(input, Date.now());
    await this.#view.write(tokens);
    // A flight of the tokens just replaced decides nothing any more: nobody waits for it from now on.
    this.#shared.supersede();
    if (input !== null) return this.#shared.revive();
    // A logout here ends the session of every other attachment on the store (each hears it once).
    this.#shared.end(
      new SessionExpiredError('The session was ended by a logout (tokens cleared by another attachment)'),
      this,
      'logout',
      this.#view.generation,
    );
    this.#ended = null;
  }
}
