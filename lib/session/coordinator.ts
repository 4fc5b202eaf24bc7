import { publishSessionExpired, type SessionEndReason } from '../diagnostics';
import { SessionExpiredError } from '../errors/session-expired-error';
import { createGate, type Gate } from './gate';
import type { RefreshContext, TokenInput, TokenSet, TokenStore } from '../types';

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

export class Coordinator {
  /** The refresh or login in flight; set by the attachment that starts it, cleared when it settles. */
  flight: Promise<TokenSet> | null = null;
  /** The flight the gate is held for, so 10,000 joiners add one hold, not 10,000; cleared with it. */
  heldFlight: Promise<TokenSet> | null = null;
  /** Where new requests wait while a flight or a rate-limit pause holds them. */
  readonly gate: Gate = createGate();
  /** Bumped before every write through any attachment: a flight commits only if it did not move (stores without `compareAndSet`). */
  version = 0;
  /** Attachments to tell when the session ends or revives. */
  readonly #members = new Set<Member>();
  /** Refreshers offered by the attachments, for those that have no endpoint of their own. */
  readonly #refreshers = new Set<Refresher>();
  /** Origins a non-GraphQL request went to: whatever attachment has its endpoint there, it never receives the refresh token. */
  readonly #notGraphQL = new Set<string>();
  #unsubscribe: (() => void) | undefined;

  constructor(private readonly store: TokenStore) {}

  /** Registers an attachment; returns the function that unregisters it (detach). */
  join(member: Member, refresher: Refresher): () => void {
    this.#members.add(member);
    this.#refreshers.add(refresher);
    if (!this.#unsubscribe && typeof this.store.subscribe === 'function') {
      // Changes made elsewhere (another process or tab): tokens revive, `null` ends every session here.
      this.#unsubscribe = this.store.subscribe((tokens) => {
        if (tokens?.accessToken) this.revive();
        else this.end(new SessionExpiredError('The session ended elsewhere (another process or tab cleared the tokens)'), undefined, 'cleared-elsewhere');
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
