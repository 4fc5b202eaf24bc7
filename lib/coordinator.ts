import { createGate, type Gate } from './refresh-gate';
import type { TokenSet, TokenStore } from './types';

/**
 * What every attachment sharing one token store must share: the refresh in flight, the gate new
 * requests wait at, and whether the session has ended ("one refresh at a time per token store",
 * behaviour 2). It lives on the store object under a global symbol, not at module level, so two
 * copies of this package (ESM + CJS in one process) still agree.
 */
export interface Coordinator {
  flight: Promise<TokenSet> | null;
  /** The flight the gate is held for, so 10,000 joiners add one hold, not 10,000. */
  heldFlight: Promise<TokenSet> | null;
  gate: Gate;
  /** Set when the session ended; requests fail fast with a copy of it until tokens are set again. */
  ended: Error | null;
  /** Epoch ms until which a rate-limit pause holds the gate (pauses coalesce). */
  pausedUntil: number;
}

const KEY = Symbol.for('axios-graphql-refresh/coordinator@1');

export function coordinatorFor(store: TokenStore): Coordinator {
  const holder = store as TokenStore & { [KEY]?: Coordinator };
  const existing = holder[KEY];
  if (existing) return existing;
  const created: Coordinator = { flight: null, heldFlight: null, gate: createGate(), ended: null, pausedUntil: 0 };
  try {
    Object.defineProperty(holder, KEY, { value: created, enumerable: false, configurable: true });
  } catch {
    /* a frozen store: this attachment keeps its own coordinator */
  }
  return created;
}
