import type { TokenSet } from '../types';

// What the store keeps in Redis and sends on its channel (docs/scaling.md "Versions").

/** What one read of the key found: nothing (never written, or Redis forgot), or tokens / a tombstone at a version. */
export type Stored = { kind: 'absent' } | { kind: 'value'; tokens: TokenSet | null; v: number };

/**
 * A message on the channel: tokens written (or cleared: `t: null`) at version `v`; a lease taken or
 * renewed by owner `o` for `ms`; the lock released by `o`; or a process asking for the tokens (`want`:
 * it found no key).
 */
export interface Message {
  k: string;
  db: number;
  from: string;
  v?: number;
  t?: TokenSet | null;
  lease?: { o: string; ms: number };
  released?: boolean;
  o?: string;
  want?: boolean;
}

function tokensOf(value: unknown): TokenSet | null {
  if (!value || typeof value !== 'object' || typeof (value as TokenSet).accessToken !== 'string') return null;
  const { v: _version, ...tokens } = value as TokenSet & { v?: unknown };
  return tokens;
}

export function decodeStored(raw: string | null | undefined): Stored {
  if (!raw) return { kind: 'absent' };
  try {
    const value = JSON.parse(raw) as { v?: unknown };
    // A value without a version (written by 0.1.0) counts as the oldest there is.
    return { kind: 'value', tokens: tokensOf(value), v: typeof value?.v === 'number' ? value.v : 0 };
  } catch {
    return { kind: 'absent' };
  }
}

export function decodeMessage(raw: string): Message | null {
  try {
    const message = JSON.parse(raw) as Message;
    if (!message || typeof message.k !== 'string' || typeof message.from !== 'string') return null;
    if (message.t !== undefined) message.t = tokensOf(message.t);
    return message;
  } catch {
    return null;
  }
}

/** The tokens as stored, without a version of their own (the script adds it). */
export function encodeTokens(tokens: TokenSet | null): string {
  return tokens ? JSON.stringify({ ...tokens, v: undefined }) : '';
}
