import type { TokenSet } from '../types';

/**
 * A message between tabs: "the tokens changed" (`t` carries them over a BroadcastChannel, `v` their
 * version where the tokens live in localStorage or memory), or "the lease lock changed hands" (`r`).
 */
export interface Message {
  t?: TokenSet | null;
  v?: number;
  r?: 1;
}

export interface Channel {
  /** Tells the other tabs (never this store object). */
  post(message: Message): void;
  close(): void;
}

/**
 * Opens the channel the tabs of one origin talk on: a BroadcastChannel, or — where there is none —
 * `storage` events of a localStorage key holding a counter, never a token (see docs/browser.md,
 * "Fallbacks"). `undefined` when neither exists: then no tab hears another, and every read goes to
 * IndexedDB.
 */
export function openChannel(name: string, onMessage: (message: Message) => void): Channel | undefined {
  try {
    if (typeof BroadcastChannel === 'function') {
      const channel = new BroadcastChannel(name);
      channel.onmessage = (event: MessageEvent) => onMessage(Object(event.data) as Message);
      return { post: (message) => channel.postMessage(message), close: () => channel.close() };
    }
  } catch {
    /* refused: an API that refuses is an API that is missing */
  }
  let storage: Storage | undefined;
  try {
    storage = globalThis.localStorage;
  } catch {
    /* access denied (third-party frame, disabled storage) */
  }
  if (!storage || typeof addEventListener !== 'function') return undefined;
  // The counter key, and the keys the tokens live under when IndexedDB is missing (records.ts).
  const listener = (event: StorageEvent) => {
    if (event.key === name || event.key?.startsWith(`${name}:`)) onMessage({});
  };
  addEventListener('storage', listener);
  let count = 0;
  return {
    post: () => {
      try {
        storage!.setItem(name, `${Date.now()}.${++count}.${Math.random()}`);
      } catch {
        /* quota or access: the other tabs learn on their next locked read */
      }
    },
    close: () => removeEventListener('storage', listener),
  };
}
