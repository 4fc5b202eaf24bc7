import type { TokenInput, TokenSet, TokenStore } from '../types';
import { assertTokenInput, normalizeTokens, sameTokens } from './tokens';

/**
 * Keeps tokens in memory: the default store, right for one process. Share one instance between
 * several axios instances to make them share one session and one refresh.
 *
 * @example
 * ```ts
 * const tokens = new MemoryTokenStore({ accessToken, refreshToken, expiresIn: 900 });
 * attachTokenRefresh(graphqlApi, { tokens });
 * attachTokenRefresh(restApi, { tokens });
 * ```
 */
export class MemoryTokenStore implements TokenStore {
  #tokens: TokenSet | null;

  constructor(initial?: TokenInput | null) {
    if (initial != null) assertTokenInput(initial, 'initial');
    this.#tokens = initial ? normalizeTokens(initial, Date.now()) : null;
  }

  get(): TokenSet | null {
    return this.#tokens ? { ...this.#tokens } : null;
  }

  set(tokens: TokenSet | null): void {
    this.#tokens = tokens ? { ...tokens } : null;
  }

  /** Stores `next` only if the store still holds `expected` (same access and refresh token); synchronous, so atomic. */
  compareAndSet(expected: TokenSet | null, next: TokenSet | null): boolean {
    if (!sameTokens(this.#tokens, expected)) return false;
    this.set(next);
    return true;
  }

  /** Keeps the tokens out of `console.log` / `util.inspect` output. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `MemoryTokenStore { ${this.#tokens ? 'tokens: [redacted]' : 'empty'} }`;
  }

  toJSON(): object {
    return { tokens: this.#tokens ? '[redacted]' : null };
  }
}
