import type { TokenSet } from '../types';
import { asTokens, openTokenDatabase, readModifyWrite, readRecord, readTokens } from './idb';

// Where BrowserTokenStore keeps the tokens, best first (docs/browser.md, "Fallbacks"):
// - IndexedDB: a compare-and-write is one transaction, atomic across tabs;
// - localStorage, where IndexedDB is missing or refuses (a throwing getter, a SecurityError): other
//   tabs read the tokens there and hear of writes through `storage` events; a compare-and-write is
//   atomic within a tab only, and a read in another process may lag a write — the lock, the version
//   registry (versions.ts) and the newest version a broadcast brought (`known`) make up for both;
// - memory, where both refuse: the tokens travel between tabs in broadcasts only.
// Beside the tokens, IndexedDB and localStorage keep the *intent* of a lock holder: "I read these
// tokens under the lock and may present their refresh token". A holder that finishes clears it; one
// that dies with it (a tab closed or reloaded mid-refresh) leaves it, and the next holder knows that
// refresh token may be spent.

/** Tokens with a version (localStorage and memory: which of two tabs' copies is newer; IndexedDB: 0). */
export interface Versioned {
  tokens: TokenSet | null;
  v: number;
}

/** A lock holder that may be presenting the refresh token whose hash is `rt`. */
export interface Intent {
  owner: string;
  rt: string;
}

export interface Records {
  readonly kind: 'idb' | 'local' | 'memory';
  /** The open database (IndexedDB only): the lease lock lives there too. */
  readonly db?: IDBDatabase;
  read(): Promise<Versioned>;
  /** Replaces the tokens with `next` at version `v` if `allowed(stored)`; resolves whether it wrote. */
  write(allowed: (stored: TokenSet | null) => boolean, next: TokenSet | null, v: number): Promise<boolean>;
  readIntent(): Promise<Intent | undefined>;
  /**
   * Records `intent`; `undefined` clears it, only if it is still `owner`'s. In localStorage the
   * intent lives in the tokens' record and a change is a new version `v` (versions.ts then orders
   * it with the lock): resolves whether it wrote.
   */
  writeIntent(intent: Intent | undefined, owner: string, v: number): Promise<boolean>;
  close(): void;
}

/** A short fingerprint of a refresh token for the intent record (FNV-1a): the token itself is never copied there. */
export function fingerprint(token: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < token.length; i++) hash = Math.imul(hash ^ token.charCodeAt(i), 0x01000193) >>> 0;
  return `${hash.toString(36)}.${token.length}`;
}

const isIntent = (value: unknown): value is Intent =>
  !!value && typeof (value as Intent).owner === 'string' && typeof (value as Intent).rt === 'string';

/** The page's IndexedDB factory, or `undefined` where it is missing or reading it throws (an API that refuses is an API that is missing). */
function indexedDatabases(): IDBFactory | undefined {
  try {
    return typeof indexedDB === 'object' && indexedDB ? indexedDB : undefined;
  } catch {
    return undefined;
  }
}

/** The page's localStorage if it works (reading it may throw; writing may be refused). */
export function usableLocalStorage(): Storage | undefined {
  try {
    const storage = globalThis.localStorage;
    const probe = 'axios-graphql-refresh:probe';
    storage.setItem(probe, '1');
    storage.removeItem(probe);
    return storage;
  } catch {
    return undefined;
  }
}

function idbRecords(db: IDBDatabase, key: string): Records {
  const intentKey = `\u0000intent:${key}`;
  return {
    kind: 'idb',
    db,
    read: async () => ({ tokens: await readTokens(db, key), v: 0 }),
    write: (allowed, next) => readModifyWrite(db, key, (stored) => (allowed(asTokens(stored)) ? { write: next } : undefined)),
    async readIntent() {
      const stored = await readRecord(db, intentKey);
      return isIntent(stored) ? stored : undefined;
    },
    writeIntent: (intent, owner) =>
      readModifyWrite<Intent>(db, intentKey, (stored) =>
        intent ? { write: intent } : isIntent(stored) && stored.owner === owner ? { write: null } : undefined,
      ),
    close: () => db.close(),
  };
}

function parse(raw: string | null): unknown {
  try {
    return raw ? JSON.parse(raw) : undefined;
  } catch {
    return undefined;
  }
}

/** The localStorage key of a store named `name`: watched for `storage` events by the channel. */
export const localKey = (name: string) => `${name}:tokens`;

/** The localStorage record: tokens `t` at version `v`, and the lock holder's intent `i` beside them. */
interface LocalRecord {
  t: TokenSet | null;
  v: number;
  i?: Intent;
}

/**
 * `known`: the newest tokens and version this tab has heard of. A broadcast may bring another tab's
 * write before this tab's copy of localStorage shows it (a read in another process lags a write), so
 * every read, compare and rewrite of the record starts from the newer of the two. Rewriting the stale
 * copy instead (an intent recorded beside the tokens, as a new version) would store the older tokens
 * under the newest version, and every tab would take them — a dead access token, a spent refresh
 * token — for news.
 */
function localRecords(storage: Storage, name: string, known: () => Versioned): Records {
  const key = localKey(name);
  const load = (): LocalRecord => {
    const stored = parse(storage.getItem(key)) as Partial<LocalRecord> | undefined;
    const v = typeof stored?.v === 'number' ? stored.v : 0;
    const heard = known();
    // Only a token write is broadcast, and a token write leaves no intent beside the tokens.
    if (heard.v > v) return { t: heard.tokens, v: heard.v };
    return { t: asTokens(stored?.t), v, ...(isIntent(stored?.i) ? { i: stored.i } : {}) };
  };
  const save = (record: LocalRecord) => storage.setItem(key, JSON.stringify(record));
  return {
    kind: 'local',
    read: async () => {
      const { t, v } = load();
      return { tokens: t, v };
    },
    async write(allowed, next, v) {
      if (!allowed(load().t)) return false;
      save({ t: next, v });
      return true;
    },
    readIntent: async () => load().i,
    async writeIntent(intent, owner, v) {
      const record = load();
      if (!intent && record.i?.owner !== owner) return false;
      const { i: _old, ...rest } = record;
      save({ ...rest, v, ...(intent ? { i: intent } : {}) });
      return true;
    },
    close: () => {},
  };
}

/** Memory: the store object keeps `current` up to date from broadcasts; no intent survives a tab. */
export function memoryRecords(current: Versioned): Records {
  return {
    kind: 'memory',
    read: async () => ({ tokens: asTokens(current.tokens), v: current.v }),
    async write(allowed, next, v) {
      if (!allowed(current.tokens)) return false;
      current.tokens = asTokens(next);
      current.v = v;
      return true;
    },
    readIntent: async () => undefined,
    writeIntent: async () => false,
    close: () => {},
  };
}

/**
 * Opens the best storage there is: IndexedDB (within 3 s), else localStorage, else memory. `known`
 * is the newest tokens the store knows (localStorage mode, above). `onClosed` is called when another
 * tab deletes the database ("clear site data"): reopen on next use.
 */
export async function openRecords(
  key: string,
  name: string,
  memory: Versioned,
  known: () => Versioned,
  onClosed: () => void,
): Promise<Records> {
  const factory = indexedDatabases();
  if (factory) {
    try {
      const db = await openTokenDatabase(factory, 3_000);
      db.onversionchange = () => {
        db.close();
        onClosed();
      };
      return idbRecords(db, key);
    } catch {
      // refused (a private window, an opaque origin) or not answering
    }
  }
  const storage = usableLocalStorage();
  return storage ? localRecords(storage, name, known) : memoryRecords(memory);
}
