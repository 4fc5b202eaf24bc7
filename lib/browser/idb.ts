import type { TokenSet } from '../types';

// The smallest IndexedDB layer the store needs: one database per origin, one object store, one
// record per session key. IndexedDB, not localStorage: a readwrite transaction is atomic across
// tabs (transactions on the same object store run one after another), and a read started after a
// write committed sees it. localStorage gives neither guarantee across processes: measured in
// Chromium, a read inside a Web Lock still saw the old value in 3 runs of 10 (docs/browser.md).

const DATABASE = 'axios-graphql-refresh';
const OBJECTS = 'tokens';

/** Opens the database; rejects if IndexedDB is refused (some private windows, opaque origins) or does not answer. */
export function openTokenDatabase(factory: IDBFactory, timeoutMs: number): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('IndexedDB did not open')), timeoutMs);
    const settle = (fn: () => void) => {
      clearTimeout(timer);
      fn();
    };
    try {
      const request = factory.open(DATABASE, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(OBJECTS);
      request.onsuccess = () => settle(() => resolve(request.result));
      request.onerror = () => settle(() => reject(request.error));
    } catch (error) {
      settle(() => reject(error));
    }
  });
}

/** A stored value, checked: anything that is not a token set reads as empty. */
export function asTokens(value: unknown): TokenSet | null {
  return value && typeof value === 'object' && typeof (value as TokenSet).accessToken === 'string' ? { ...(value as TokenSet) } : null;
}

/**
 * Reads the record `key` and, when `decide` returns a value, replaces it (`null` deletes) — in one
 * readwrite transaction, so no other tab can write in between. Resolves once the transaction has
 * committed (only then can another tab read the new value) with whether it wrote.
 */
export function readModifyWrite<V extends object>(
  db: IDBDatabase,
  key: string,
  decide: (stored: unknown) => { write: V | null } | undefined,
): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(OBJECTS, 'readwrite');
    let wrote = false;
    const objects = tx.objectStore(OBJECTS);
    const read = objects.get(key);
    read.onsuccess = () => {
      const verdict = decide(read.result);
      if (!verdict) return;
      wrote = true;
      if (verdict.write) objects.put({ ...verdict.write }, key);
      else objects.delete(key);
    };
    tx.oncomplete = () => resolve(wrote);
    tx.onerror = tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

/** Reads a record (a readonly transaction: it sees every write committed before it started). */
export function readRecord(db: IDBDatabase, key: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const read = db.transaction(OBJECTS, 'readonly').objectStore(OBJECTS).get(key);
    read.onsuccess = () => resolve(read.result);
    read.onerror = () => reject(read.error);
  });
}

/** Reads the tokens record. */
export const readTokens = async (db: IDBDatabase, key: string): Promise<TokenSet | null> => asTokens(await readRecord(db, key));
