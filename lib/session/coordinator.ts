import { publishSessionExpired, type SessionEndReason } from '../diagnostics';
import { SessionExpiredError } from '../errors/session-expired-error';
import type { RefreshContext, TokenInput, TokenSet, TokenStore } from '../types';
import { type Budget, createBudget, createSharedBudget } from './budget';
import { createGate, type Gate } from './gate';

// What every attachment sharing one token store must share: the flight (one refresh or login at a
// time per store), the gate new requests wait at, the write counter that makes token writes
// conditional, who may refresh, and who must hear that the session ended (docs/how-it-works.md,
// "one store, one session"). It lives on the store object under a global symbol, not at module
// level, so two copies of this package (ESM + CJS in one process) still agree.

/** An attachment, as the coordinator sees it. */
export interface Member {
  /** The session ended (here, in another attachment, or elsewhere through the store). */
  ended(error: Error): void;
  /** Tokens were stored again: an ended session is alive again. */
  revived(): void;
}

/**
 * How much an attachment knows of its refresh endpoint: 2 — it is a GraphQL endpoint (configured,
 * or a GraphQL request went there); 1 — nothing known yet; 0 — it is not (a non-GraphQL request
 * went to that origin: a REST API).
 */
export type Standing = 0 | 1 | 2;

/** A way to refresh, offered by an attachment. */
export interface Refresher {
  refresh(ctx: RefreshContext): Promise<TokenInput>;
  standing(): Standing;
  /** The origin of its refresh endpoint, when known. */
  origin(): string | undefined;
}

const ignore = () => {};

export class Coordinator {
  /** The refresh or login in flight; set by {@link Coordinator.startFlight}, cleared when it settles or is superseded. */
  #flight: Promise<TokenSet> | null = null;
  /** The flight the gate is held for, so 10,000 joiners add one hold, not 10,000; set by {@link Coordinator.holdFor}, cleared with it. */
  #heldFlight: Promise<TokenSet> | null = null;
  /** Ends the gate's hold for `heldFlight` at once; set and cleared with it. */
  #releaseHeld: (() => void) | null = null;
  /** Settles `flight` for its waiters now, with what the caller stored; set and cleared with it. */
  #overtake: ((now: Promise<TokenSet>) => void) | null = null;
  /** The work of a superseded flight, still running: the next flight starts after it (one refresh token in use at a time). */
  #draining: Promise<unknown> | null = null;
  /** Where new requests wait while a flight or a rate-limit pause holds them. */
  readonly gate: Gate = createGate();
  /** Bumped by {@link Coordinator.wrote} before every write through any attachment: a flight commits only if it did not move (stores without `compareAndSet`). */
  #version = 0;
  /** Attachments to tell when the session ends or revives. */
  readonly #members = new Set<Member>();
  /** Refreshers offered by the attachments, for those that have no endpoint of their own. */
  readonly #refreshers = new Set<Refresher>();
  /** Origins a non-GraphQL request went to: whatever attachment has its endpoint there, it never receives the refresh token. */
  readonly #notGraphQL = new Set<string>();
  #unsubscribe: (() => void) | undefined;
  /** The store's send budgets (`rateLimit`), by key and limits: every attachment with the same limits shares one. */
  readonly #budgets = new Map<string, Budget>();

  readonly #store: TokenStore;

  constructor(store: TokenStore) {
    this.#store = store;
  }

  /** The refresh or login in flight, if any (read-only: {@link Coordinator.startFlight} sets it). */
  get flight(): Promise<TokenSet> | null {
    return this.#flight;
  }

  /** The flight the gate is held for, if any. */
  get heldFlight(): Promise<TokenSet> | null {
    return this.#heldFlight;
  }

  /** True while a flight superseded by `setTokens` still runs (the next one starts after it). */
  get draining(): boolean {
    return this.#draining !== null;
  }

  /** The write counter: a flight remembers it when it starts and commits only if it did not move. */
  get version(): number {
    return this.#version;
  }

  /** Every write through any attachment on the store calls this, before writing (token-view.ts). */
  wrote(): void {
    this.#version++;
  }

  /**
   * The send budget `key` of this store with these limits (budget.ts): kept by the store when it
   * offers `takeBudget` (shared across processes), else counted here, in-process.
   */
  budget(key: string, limit: number, windowMs: number): Budget {
    const id = `${key} ${limit}/${windowMs}`;
    let budget = this.#budgets.get(id);
    if (!budget) {
      const store = this.#store;
      budget =
        typeof store.takeBudget === 'function'
          ? createSharedBudget((r) => store.takeBudget!(r), key, limit, windowMs)
          : createBudget(limit, windowMs);
      this.#budgets.set(id, budget);
    }
    return budget;
  }

  /** Registers an attachment; returns the function that unregisters it (detach). */
  join(member: Member, refresher: Refresher): () => void {
    this.#members.add(member);
    this.#refreshers.add(refresher);
    if (!this.#unsubscribe && typeof this.#store.subscribe === 'function') {
      // Changes made elsewhere (another process or tab): tokens revive, `null` ends every session here.
      this.#unsubscribe = this.#store.subscribe((tokens) => {
        if (tokens?.accessToken) this.revive();
        else
          this.end(
            new SessionExpiredError('The session ended elsewhere (another process or tab cleared the tokens)'),
            undefined,
            'cleared-elsewhere',
          );
      });
    }
    return () => {
      this.#members.delete(member);
      this.#refreshers.delete(refresher);
      if (this.#members.size === 0) {
        this.#unsubscribe?.();
        this.#unsubscribe = undefined;
      }
    };
  }

  /**
   * Starts `work` as the store's flight, after the work of a superseded flight still running: every
   * request that needs tokens joins it until it settles, or until {@link Coordinator.supersede}.
   */
  startFlight(work: () => Promise<TokenSet>): Promise<TokenSet> {
    const previous = this.#draining;
    const own = previous ? previous.then(work, work) : work();
    let overtake!: (now: Promise<TokenSet>) => void;
    const overtaken = new Promise<TokenSet>((resolve) => (overtake = resolve));
    const flight: Promise<TokenSet> = Promise.race([own, overtaken]).finally(() => this.#forget(flight));
    this.#flight = flight;
    this.#overtake = (now) => {
      overtake(now);
      this.#draining = own;
      own.then(ignore, ignore).then(() => {
        if (this.#draining === own) this.#draining = null;
      });
    };
    return flight;
  }

  /** Holds the gate for `flight` (once per flight, however many requests join it). */
  holdFor(flight: Promise<TokenSet>): void {
    if (this.#heldFlight === flight) return;
    this.#heldFlight = flight;
    this.#releaseHeld = this.gate.hold(flight);
  }

  #forget(flight: Promise<TokenSet>): void {
    if (this.#flight === flight) {
      this.#flight = null;
      this.#overtake = null;
    }
    if (this.#heldFlight === flight) {
      this.#heldFlight = null;
      this.#releaseHeld = null;
    }
  }

  /**
   * The caller stored tokens (`setTokens`): the flight in progress started from older ones and
   * decides nothing any more (its write would be discarded). Its waiters continue now with what the
   * store holds (or fail with `SessionExpiredError` if it holds nothing), new requests no longer wait
   * for it; its work runs on, and the next flight starts after it (docs/how-it-works.md, "one store,
   * one session").
   */
  supersede(): void {
    const flight = this.#flight;
    if (!flight) return;
    this.#overtake?.(this.#held());
    if (this.#heldFlight === flight) this.#releaseHeld?.();
    this.#forget(flight);
  }

  /** What the store holds now, as a flight's outcome: tokens, or the session is over. */
  async #held(): Promise<TokenSet> {
    const now = (await this.#store.get()) ?? null;
    if (now?.accessToken) return now;
    throw new SessionExpiredError('The tokens were cleared while the refresh ran');
  }

  /** Tells every attachment but `except` that the session ended; published once on the diagnostics channel. */
  end(error: Error, except?: Member, reason: SessionEndReason = 'cleared-elsewhere', generation = 0): void {
    publishSessionExpired(() => ({ reason, generation }));
    for (const member of [...this.#members]) if (member !== except) member.ended(error);
  }

  revive(): void {
    for (const member of [...this.#members]) member.revived();
  }

  /** Remembers that `origin` served a non-GraphQL request (a REST API), for every attachment on the store. */
  notGraphQL(origin: string | undefined): void {
    if (origin) this.#notGraphQL.add(origin);
  }

  /** What is known of a refresher's endpoint: its own standing, unless its origin is known not to be GraphQL. */
  standingOf(r: Refresher): Standing {
    const own = r.standing();
    if (own === 2) return 2;
    const origin = r.origin();
    return origin !== undefined && this.#notGraphQL.has(origin) ? 0 : own;
  }

  /** The refresher of this store that knows most about its endpoint, if its standing is at least `min`. */
  bestRefresher(min: Standing): Refresher | undefined {
    let best: Refresher | undefined;
    for (const r of this.#refreshers) if (this.standingOf(r) >= min && (!best || this.standingOf(r) > this.standingOf(best))) best = r;
    return best;
  }
}

const KEY = Symbol.for('axios-graphql-refresh/coordinator@2');

export function coordinatorFor(store: TokenStore): Coordinator {
  const holder = store as TokenStore & { [KEY]?: Coordinator };
  const existing = holder[KEY];
  if (existing) return existing;
  const created = new Coordinator(store);
  try {
    Object.defineProperty(holder, KEY, { value: created, enumerable: false, configurable: true });
  } catch {
    /* a frozen store: this attachment keeps its own coordinator */
  }
  return created;
}
