import { sameTokens } from '../stores/tokens';
import type { TokenSet, TokenStore } from '../types';
import type { Coordinator } from './coordinator';

// One attachment's view of the store: reads and writes, and the *generation* — a number that grows
// each time a new access token is seen. Requests are stamped with it; an answer stamped with an
// older generation than the current one is replayed without another refresh (docs/how-it-works.md,
// "the token-version rule"). No token is ever stored on a request config.

/** What a request is sent with: the newest token known at that moment, and its generation. */
export interface RequestTokens {
  token: string | undefined;
  generation: number;
}

export class TokenView {
  /** Grows with each new access token seen; written only by {@link TokenView.observe}. */
  #generation = 0;
  /** The newest access token seen; never leaves this object except as a request's header. */
  #lastToken: string | undefined;
  /** Whether the store held a token at the last read or write (a logout empties it). */
  #present = false;

  readonly #store: TokenStore;
  readonly #shared: Coordinator;

  constructor(store: TokenStore, shared: Coordinator) {
    this.#store = store;
    this.#shared = shared;
  }

  /** The generation of the newest access token seen (see above). */
  get generation(): number {
    return this.#generation;
  }

  observe(tokens: TokenSet | null | undefined): void {
    const token = tokens?.accessToken;
    this.#present = !!token;
    if (token && token !== this.#lastToken) {
      this.#lastToken = token;
      this.#generation++;
    }
  }

  async read(): Promise<TokenSet | null> {
    const tokens = (await this.#store.get()) ?? null;
    this.observe(tokens);
    return tokens;
  }

  /** Writes unconditionally (the caller's own `setTokens`). */
  async write(tokens: TokenSet | null): Promise<void> {
    this.#shared.wrote(); // before the write: a flight comparing meanwhile must see it moved
    await this.#store.set(tokens);
    this.observe(tokens);
  }

  /**
   * Writes only if the store still holds `expected`: atomically with the store's `compareAndSet`,
   * else by comparing in-process (nobody here wrote since `version`, and the store holds `expected`).
   */
  async writeIf(expected: TokenSet | null, next: TokenSet | null, version: number): Promise<boolean> {
    let ok: boolean;
    if (typeof this.#store.compareAndSet === 'function') {
      ok = !!(await this.#store.compareAndSet(expected, next));
    } else {
      ok = this.#shared.version === version && sameTokens((await this.#store.get()) ?? null, expected);
      if (ok) await this.#store.set(next);
    }
    if (ok) {
      this.#shared.wrote();
      this.observe(next);
    }
    return ok;
  }

  /** The newest token known right now and its generation, read together (no await between). */
  current(tokens?: TokenSet | null): RequestTokens {
    const has = tokens === undefined ? this.#present : !!tokens?.accessToken;
    return { token: has ? this.#lastToken : undefined, generation: this.#generation };
  }
}
