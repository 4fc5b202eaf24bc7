import { News } from '../stores/news';
import { sameTokens } from '../stores/same-tokens';
import type { TokenSet, TokenStore } from '../types';
import { openChannel, type Channel, type Message } from './channel';
import { asTokens, openTokenDatabase, readModifyWrite, readTokens } from './idb';
import { withLease } from './lease-lock';
import { createTabMutex, withWebLock } from './web-lock';

/**
 * Options of {@link BrowserTokenStore}. All optional.
 *
 * @example
 * ```ts
 * const tokens = new BrowserTokenStore({ key: 'nextschool', lockTimeoutMs: 30_000 });
 * ```
 */
export interface BrowserTokenStoreOptions {
  /**
   * Names the session: every tab of the origin using the same key shares its tokens and its refresh.
   * Use another key for a second, independent session (another API, another account).
   * @default 'default'
   */
  key?: string | undefined;
  /**
   * The longest a tab waits for another tab's refresh lock before taking it over. A tab that closes
   * or crashes releases its lock at once; this bounds the wait behind one that hangs. Keep it above
   * the plugin's `refreshTimeoutMs`, or a slow but healthy refresh may be overtaken.
   * @default 20_000
   */
  lockTimeoutMs?: number | undefined;
}

type Listener = (tokens: TokenSet | null) => void;

/** IndexedDB refused: the store keeps the tokens in memory (this tab), kept in step by broadcasts. */
const MEMORY = null;

/**
 * Tokens shared by every tab of the origin, with one refresh across all of them.
 *
 * - The tokens live in IndexedDB; `compareAndSet` reads, compares and writes in one readwrite
 *   transaction, which no other tab can interleave with.
 * - `lock(fn)` is an exclusive Web Lock: one refresh at a time across tabs. The plugin re-reads the
 *   tokens inside it (always from IndexedDB, never from a cache) and adopts what another tab stored.
 *   A closed or crashed tab releases it; one that hangs loses it after `lockTimeoutMs`.
 * - Every write is committed, then broadcast (BroadcastChannel): other tabs adopt a new token at
 *   once, and hear when the session was cleared (`subscribe` reports `null`).
 * - No browser API is touched before the first call, so creating one during server-side rendering
 *   is harmless. Where an API is missing it degrades; docs/browser.md says what each fallback keeps.
 *
 * @example
 * ```ts
 * import { createNextSchoolClient } from 'axios-graphql-refresh';
 * import { BrowserTokenStore } from 'axios-graphql-refresh/browser';
 *
 * const ns = createNextSchoolClient({ tokens: new BrowserTokenStore(), onSessionExpired: () => showLogin() });
 * await ns.login(username, password); // every tab of the origin is now signed in
 * ```
 */
export class BrowserTokenStore implements TokenStore {
  readonly #key: string;
  /** Names the Web Lock and the channel: one per origin and key. */
  readonly #name: string;
  readonly #lockTimeoutMs: number;
  /** The open database, `MEMORY` when IndexedDB is refused, `undefined` before the first use. */
  #db: IDBDatabase | typeof MEMORY | undefined;
  #opening: Promise<IDBDatabase | typeof MEMORY> | undefined;
  /** The tokens in memory mode. */
  #memory: TokenSet | null = null;
  /** The last tokens seen; trusted for reads only while a channel keeps it current, no lock is held here, and it holds tokens. */
  #cache: TokenSet | null | undefined;
  /** Writes through this object: a read that overlapped one must not overwrite the cache with what it saw. */
  #writes = 0;
  /** Locks held (or awaited) through this object: reads then always go to IndexedDB. */
  #locked = 0;
  #channel: Channel | undefined;
  #listening = false;
  /** The last tokens the listeners know of (reported, or written here): a change is reported once. */
  #heard: TokenSet | null | undefined;
  /** Messages from other tabs are handled one after another, so an older read never reports after a newer one. */
  #handling: Promise<void> = Promise.resolve();
  readonly #listeners = new Set<Listener>();
  /** Any message from another tab (a release, new tokens): what lease waiters (no Web Locks) wake on. */
  readonly #news = new News();
  readonly #tabMutex = createTabMutex();

  constructor(options: BrowserTokenStoreOptions = {}) {
    const { key = 'default', lockTimeoutMs = 20_000 } = options ?? {};
    if (typeof key !== 'string' || key === '') throw new TypeError(`Expected \`key\` to be a non-empty string, got \`${typeof key}\``);
    if (!(Number.isFinite(lockTimeoutMs) && lockTimeoutMs > 0)) {
      throw new TypeError(`Expected \`lockTimeoutMs\` to be a positive number, got \`${String(lockTimeoutMs)}\``);
    }
    this.#key = key;
    this.#name = `axios-graphql-refresh:${key}`;
    this.#lockTimeoutMs = lockTimeoutMs;
  }

  /** The database, opened once; memory mode when IndexedDB is missing or refused. */
  #database(): Promise<IDBDatabase | typeof MEMORY> {
    this.#opening ??= (typeof indexedDB === 'undefined' ? Promise.reject(new Error('no IndexedDB')) : openTokenDatabase(3_000)).then(
      (db) => {
        // Another tab deleting the database ("clear site data") asks us to let go; reopen on next use.
        db.onversionchange = () => {
          db.close();
          this.#db = this.#opening = undefined;
        };
        return (this.#db = db);
      },
      () => (this.#db = MEMORY),
    );
    return this.#opening;
  }

  #listen(): void {
    if (this.#listening) return;
    this.#listening = true;
    this.#channel = openChannel(this.#name, (message) => this.#onMessage(message));
  }

  async #read(): Promise<TokenSet | null> {
    const db = this.#db === undefined ? await this.#database() : this.#db;
    return db === MEMORY ? asTokens(this.#memory) : readTokens(db, this.#key);
  }

  #onMessage(message: Message): void {
    this.#news.publish();
    if (message.r) return;
    this.#handling = this.#handling.then(async () => {
      const writes = this.#writes;
      let tokens: TokenSet | null;
      if ((this.#db ?? (await this.#database())) === MEMORY) {
        if (!('t' in message)) return; // a bare ping carries nothing a memory-mode tab can read
        tokens = this.#memory = asTokens(message.t);
      } else {
        tokens = await this.#read();
      }
      if (writes !== this.#writes) return; // this object wrote meanwhile: its write is newer
      this.#cache = tokens;
      if (sameTokens(tokens, this.#heard) && this.#heard !== undefined) return;
      this.#heard = tokens;
      for (const listener of [...this.#listeners]) {
        try {
          listener(tokens && { ...tokens });
        } catch {
          /* one listener's failure must not stop the others */
        }
      }
    }).catch(() => {});
  }

  /** Records a write made through this object, then tells the other tabs (write first, then broadcast). */
  #wrote(tokens: TokenSet | null): void {
    this.#writes++;
    this.#cache = this.#heard = tokens && { ...tokens };
    this.#channel?.post({ t: tokens && { ...tokens } });
  }

  async get(): Promise<TokenSet | null> {
    this.#listen();
    // Cached tokens may lag a broadcast by a moment; that heals itself (a stale token is refused, and
    // the refresh re-reads under the lock). A cached "signed out" is not trusted: a tab that signed in
    // elsewhere a moment ago must not make this one fail fast.
    if (this.#locked === 0 && this.#channel && this.#cache) return { ...this.#cache };
    const writes = this.#writes;
    const tokens = await this.#read();
    if (writes === this.#writes) this.#cache = tokens;
    return tokens && { ...tokens };
  }

  async set(tokens: TokenSet | null): Promise<void> {
    await this.#write(undefined, tokens);
  }

  /**
   * Stores `next` only if the store still holds `expected` (same access and refresh token; `null` =
   * empty), and resolves whether it wrote — atomically across tabs: the compare and the write share
   * one IndexedDB transaction.
   */
  compareAndSet(expected: TokenSet | null, next: TokenSet | null): Promise<boolean> {
    return this.#write(expected, next);
  }

  /** `expected === undefined`: write whatever is stored. */
  async #write(expected: TokenSet | null | undefined, next: TokenSet | null): Promise<boolean> {
    this.#listen();
    const value = next ? { ...next } : null;
    const db = this.#db === undefined ? await this.#database() : this.#db;
    const allowed = (stored: TokenSet | null) => expected === undefined || sameTokens(stored, expected);
    let wrote: boolean;
    if (db === MEMORY) {
      wrote = allowed(this.#memory);
      if (wrote) this.#memory = value;
    } else {
      wrote = await readModifyWrite(db, this.#key, (stored) => (allowed(asTokens(stored)) ? { write: value } : undefined));
    }
    if (wrote) this.#wrote(value);
    return wrote;
  }

  /** One `fn` at a time across every tab of the origin (Web Locks); see the class notes. */
  async lock<T>(fn: () => Promise<T>): Promise<T> {
    this.#listen();
    const locks = typeof navigator === 'object' ? navigator.locks : undefined;
    this.#locked++;
    try {
      if (locks) return await withWebLock(locks, this.#name, this.#lockTimeoutMs, fn);
      const db = this.#db === undefined ? await this.#database() : this.#db;
      if (db === MEMORY) return await this.#tabMutex(fn);
      const lease = {
        key: `\u0000lock:${this.#key}`,
        leaseMs: Math.min(5_000, this.#lockTimeoutMs),
        timeoutMs: this.#lockTimeoutMs,
        news: this.#news,
        announceRelease: () => this.#channel?.post({ r: 1 }),
      };
      return await this.#tabMutex(() => withLease(db, lease, fn));
    } finally {
      this.#locked--;
    }
  }

  /** Reports changes made by other tabs (or other store objects): new tokens, or `null` when cleared. */
  subscribe(listener: Listener): () => void {
    this.#listen();
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /** Stops listening to other tabs and closes the database connection. */
  close(): void {
    this.#channel?.close();
    this.#channel = undefined;
    this.#listening = false;
    if (this.#db) this.#db.close();
    this.#db = this.#opening = this.#cache = undefined;
  }

  /** Keeps tokens out of `console.log` / `util.inspect` output. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `BrowserTokenStore { key: ${JSON.stringify(this.#key)} }`;
  }

  toJSON(): object {
    return { key: this.#key };
  }
}
