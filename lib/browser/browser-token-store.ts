import { News } from '../stores/news';
import { sameTokens } from '../stores/same-tokens';
import type { LockOptions, TokenSet, TokenStore } from '../types';
import { type Channel, type Message, openChannel } from './channel';
import { asTokens } from './idb';
import { fingerprint, type Intent, openRecords, type Records, type Versioned } from './records';
import { type HeldTabLock, takeTabLock } from './tab-lock';
import { VersionRegistry } from './versions';

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
   * How long a tab may hold the refresh lock before the others take it over (one of them, once). A
   * tab that closes or crashes releases its lock at once; this bounds the wait behind one that hangs
   * or is frozen. Never less than the holder's `refreshTimeoutMs` plus a second: a refresh answer
   * still on its way is not overtaken.
   * @default 20_000
   */
  lockTimeoutMs?: number | undefined;
}

type Listener = (tokens: TokenSet | null) => void;

/** What the plugin's refresh may take when the caller of `lock` does not say: its default `refreshTimeoutMs`. */
const DEFAULT_REFRESH_TIMEOUT_MS = 15_000;
/**
 * Before a session ends, how long the other tabs have to step in (a tab with the password notices
 * within a request's round trip, then logs in). Not waited when no other tab of the origin is open.
 */
const HAND_OFF_MS = 3_000;

const copy = (tokens: TokenSet | null | undefined): TokenSet | null => (tokens ? { ...tokens } : null);

/** The tokens without their refresh token: what is stored once that refresh token is dead or may be spent. */
function withoutRefreshToken(tokens: TokenSet): TokenSet {
  const { refreshToken: _spent, ...rest } = tokens;
  return rest;
}

/** One at a time within this tab (the cross-tab lock orders the tabs). */
function createTabMutex(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>) => {
    const run = tail.then(() => fn());
    tail = run.catch(() => {});
    return run;
  };
}

/**
 * Tokens shared by every tab of the origin, with one refresh across all of them.
 *
 * - The tokens live in IndexedDB; `compareAndSet` reads, compares and writes in one readwrite
 *   transaction, which no other tab can interleave with.
 * - `lock(fn)` is an exclusive Web Lock: one refresh at a time across tabs. The plugin re-reads the
 *   tokens inside it (always from storage, never from a cache) and adopts what another tab stored.
 *   A closed or crashed tab releases it; one that hangs or freezes is taken over once, by one tab.
 * - Every write is committed, then broadcast (BroadcastChannel): other tabs adopt a new token at
 *   once, and hear when the session was cleared (`subscribe` reports `null`).
 * - A refresh token that a tab may have spent without storing the result (it was closed, reloaded or
 *   taken over mid-refresh), or that the server rejected, is never presented again; before the session
 *   ends, every tab waiting for the lock has its turn, so a tab that holds the password logs in.
 * - No browser API is touched before the first call, so creating one during server-side rendering
 *   is harmless. Where an API is missing or refuses it degrades; docs/browser.md says what each
 *   fallback keeps.
 *
 * @example
 * ```ts
 * import { createNextSchoolClient } from 'axios-graphql-refresh/nextschool';
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
  /** Where the tokens live (records.ts), once opened; `undefined` before the first use. */
  #records: Records | undefined;
  #opening: Promise<Records> | undefined;
  /** The tokens in memory mode, kept current by broadcasts. */
  readonly #memory: Versioned = { tokens: null, v: 0 };
  /**
   * The newest tokens this tab knows and their version (localStorage and memory modes: from a read,
   * a broadcast, or a write; a localStorage read may lag a write made in another tab, so it never
   * replaces a newer copy, and the localStorage record is read and rewritten from this copy while it
   * lags: records.ts). With IndexedDB, what the last read found (version 0).
   */
  #latest: Versioned = { tokens: null, v: 0 };
  /** Shared Web Locks naming the newest version this tab knows (versions.ts), in localStorage and memory modes. */
  #versions: VersionRegistry | undefined;
  /** The last tokens seen; trusted for reads only while a channel keeps it current, no lock is held here, and it holds tokens. */
  #cache: TokenSet | null | undefined;
  /** Writes through this object: a read that overlapped one must not overwrite the cache with what it saw. */
  #writes = 0;
  /** Locks held (or awaited) through this object: reads then always go to storage. */
  #locked = 0;
  /** The refresh lock this object holds while `fn` runs, and whether the tokens were read under it yet. */
  #held: { lock: HeldTabLock; read: boolean } | undefined;
  /** Web Locks refused a request (a SecurityError): the fallbacks from now on. */
  #locksRefused = false;
  /** The shared Web Lock every tab on this store holds while it listens (`#alone`), and how to let it go. */
  #present: string | undefined;
  #leave: (() => void) | undefined;
  #channel: Channel | undefined;
  #listening = false;
  /** The last tokens the listeners know of (reported, or written here): a change is reported once. */
  #heard: TokenSet | null | undefined;
  /** Messages from other tabs are handled one after another, so an older read never reports after a newer one. */
  #handling: Promise<void> = Promise.resolve();
  readonly #listeners = new Set<Listener>();
  /** Any message from another tab (a release, new tokens): what lock waiters wake on. */
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

  /** Where the tokens live, opened once: IndexedDB, else localStorage, else memory (records.ts). */
  #open(): Promise<Records> {
    if (this.#records) return Promise.resolve(this.#records);
    this.#opening ??= openRecords(
      this.#key,
      this.#name,
      this.#memory,
      () => this.#latest,
      () => (this.#records = this.#opening = undefined),
    ).then((records) => (this.#records = records));
    return this.#opening;
  }

  /** Web Locks, unless missing, or refusing (reading `navigator.locks` may throw too). */
  #locks(): LockManager | undefined {
    if (this.#locksRefused) return undefined;
    try {
      const locks = typeof navigator === 'object' ? navigator.locks : undefined;
      return locks && typeof locks.request === 'function' ? locks : undefined;
    } catch {
      return undefined;
    }
  }

  /** The version registry, where the tokens are not in IndexedDB and Web Locks work. */
  #registry(records: Records): VersionRegistry | undefined {
    if (records.kind === 'idb') return undefined;
    const locks = this.#locks();
    if (!locks) return undefined;
    this.#versions ??= new VersionRegistry(locks, this.#name);
    return this.#versions;
  }

  #listen(): void {
    if (this.#listening) return;
    this.#listening = true;
    this.#channel = openChannel(this.#name, (message) => this.#onMessage(message));
    this.#announcePresence();
    // A frozen tab (or one restored from the back/forward cache) may have missed broadcasts: its copy
    // is read again. (Were it used, the token would be refused and the lock's re-read heal it.)
    if (typeof addEventListener === 'function') {
      addEventListener('resume', this.#forget);
      addEventListener('pageshow', this.#forget);
    }
  }

  readonly #forget = () => {
    this.#cache = undefined;
  };

  /** Holds a shared Web Lock while listening: other tabs count them (`#alone`). */
  #announcePresence(): void {
    const locks = this.#locks();
    if (!locks) return;
    const present = `${this.#name}~tab`;
    const left = new Promise<void>((resolve) => (this.#leave = resolve));
    locks
      .request(present, { mode: 'shared' }, () => left)
      .then(
        () => undefined,
        () => (this.#present = undefined),
      );
    this.#present = present;
  }

  /** Reads the stored tokens (never older than the newest this tab knows), and keeps the copy unless this object wrote meanwhile. */
  async #read(): Promise<TokenSet | null> {
    const writes = this.#writes;
    const records = await this.#open();
    const stored = await records.read();
    if (records.kind === 'idb' || stored.v >= this.#latest.v) this.#learn(records, stored);
    const { tokens } = this.#latest;
    if (writes === this.#writes) this.#cache = tokens;
    return copy(tokens);
  }

  /** Takes `versioned` as the newest this tab knows; holds its version's lock (versions.ts). */
  #learn(records: Records, versioned: Versioned): void {
    const newer = versioned.v > this.#latest.v;
    this.#latest = { tokens: copy(versioned.tokens), v: versioned.v };
    if (newer) void this.#registry(records)?.know(versioned.v);
  }

  #onMessage(message: Message): void {
    this.#news.publish();
    if (message.r) return;
    this.#handling = this.#handling
      .then(async () => {
        const writes = this.#writes;
        const records = await this.#open();
        // localStorage and memory modes: the message carries the tokens and their version — in
        // memory all there is to read, in localStorage possibly newer than a read here shows yet.
        const v = typeof message.v === 'number' ? message.v : 0;
        if (records.kind !== 'idb' && 't' in message && v > this.#latest.v) {
          this.#learn(records, { tokens: asTokens(message.t), v });
          if (records.kind === 'memory') Object.assign(this.#memory, this.#latest);
        }
        const tokens = await this.#read();
        if (writes !== this.#writes) return; // this object wrote meanwhile: its write is newer
        this.#report(tokens);
      })
      .catch(() => {});
  }

  /** Tells the listeners of tokens changed elsewhere, once per change. */
  #report(tokens: TokenSet | null): void {
    this.#cache = tokens;
    const before = this.#heard;
    this.#heard = tokens;
    if (before !== undefined && sameTokens(tokens, before)) return;
    // No tokens, heard before this tab ever knew any (a ping while nobody is signed in): nothing ended.
    if (before === undefined && tokens === null) return;
    for (const listener of [...this.#listeners]) {
      try {
        listener(copy(tokens));
      } catch {
        /* one listener's failure must not stop the others */
      }
    }
  }

  async get(): Promise<TokenSet | null> {
    this.#listen();
    const held = this.#held;
    if (held && !held.read) {
      held.read = true;
      return copy(await this.#firstReadUnderLock(held.lock));
    }
    // Cached tokens may lag a broadcast by a moment; that heals itself (a stale token is refused, and
    // the refresh re-reads under the lock). A cached "signed out" is not trusted: a tab that signed in
    // elsewhere a moment ago must not make this one fail fast.
    if (this.#locked === 0 && this.#channel && this.#cache) return { ...this.#cache };
    return copy(await this.#read());
  }

  /**
   * The refresh's double-check read. First, in localStorage and memory modes, waits until this tab
   * knows the newest version any tab announced (versions.ts). Then: if a previous holder read these
   * same tokens under the lock and never finished (closed, reloaded, taken over), its refresh may have
   * spent their refresh token — the server rotated, the answer is lost — so the refresh token is
   * dropped from storage, and never presented again (a login, where a tab has credentials, brings the
   * session back). Otherwise this holder records its own intent.
   */
  async #firstReadUnderLock(lock: HeldTabLock): Promise<TokenSet | null> {
    const records = await this.#open();
    await this.#catchUp(records);
    const tokens = await this.#read();
    const intent = await records.readIntent().catch(() => undefined);
    if (tokens?.refreshToken && intent && intent.owner !== lock.owner && intent.rt === fingerprint(tokens.refreshToken)) {
      const spent = withoutRefreshToken(tokens);
      const stripped = await this.#write(tokens, spent);
      await this.#intend(records, undefined, intent.owner);
      return stripped ? spent : this.#read();
    }
    if (tokens?.refreshToken) await this.#intend(records, { owner: lock.owner, rt: fingerprint(tokens.refreshToken) }, lock.owner);
    return tokens;
  }

  /** Records (or clears) a lock holder's intent; in localStorage, as a new version ordered with the lock. */
  async #intend(records: Records, intent: Intent | undefined, owner: string): Promise<void> {
    const v = Math.max(this.#latest.v + 1, Date.now());
    const wrote = await records.writeIntent(intent, owner, v).catch(() => false);
    if (wrote && records.kind !== 'idb') {
      this.#latest = { ...this.#latest, v };
      await this.#registry(records)?.know(v);
    }
  }

  /** Waits (on news, at most 2 s) until this tab's copy is as new as the newest version any live tab announced. */
  async #catchUp(records: Records): Promise<void> {
    const registry = this.#registry(records);
    if (!registry) return;
    const newest = await registry.newest().catch(() => 0);
    const giveUpAt = Date.now() + 2_000;
    while (this.#latest.v < newest && Date.now() < giveUpAt) {
      const mark = this.#news.mark();
      await this.#read();
      if (this.#latest.v >= newest) return;
      await this.#news.wait(Math.min(100, giveUpAt - Date.now()), mark);
    }
  }

  async set(tokens: TokenSet | null): Promise<void> {
    await this.#write(undefined, tokens);
  }

  /**
   * Stores `next` only if the store still holds `expected` (same access and refresh token; `null` =
   * empty), and resolves whether it wrote — atomically across tabs: the compare and the write share
   * one IndexedDB transaction. A session end written under this store's lock (`next` null) first
   * drops the refresh token and lets every tab waiting for the lock have its turn.
   */
  compareAndSet(expected: TokenSet | null, next: TokenSet | null): Promise<boolean> {
    const held = this.#held;
    if (next === null && expected && held?.lock.crossTab) return this.#endUnderLock(expected, held.lock);
    return this.#write(expected, next);
  }

  /**
   * The session would end: the refresh token was rejected, or may be spent, and this tab cannot log
   * in. Credentials beat a sign-out: the refresh token is dropped (no tab presents it again) and the
   * lock let go for a while — every tab waiting for it has its turn, and the others have
   * `HAND_OFF_MS` to ask — so that a tab holding the password logs in; this tab then goes on with its
   * tokens (the clear below finds them and does not happen). Only then is the session cleared
   * (docs/browser.md, "Credentials beat a sign-out").
   */
  async #endUnderLock(expected: TokenSet, lock: HeldTabLock): Promise<boolean> {
    let current = expected;
    if (expected.refreshToken) {
      current = withoutRefreshToken(expected);
      if (!(await this.#write(expected, current))) return false; // changed meanwhile: the flight goes on with it
    }
    if (this.#records) await this.#intend(this.#records, undefined, lock.owner);
    await lock.stepAside();
    try {
      const giveUpAt = Date.now() + ((await this.#alone()) ? 0 : HAND_OFF_MS);
      for (;;) {
        const mark = this.#news.mark();
        if (!sameTokens(await this.#read(), current) || Date.now() >= giveUpAt) break;
        await this.#news.wait(giveUpAt - Date.now(), mark);
      }
    } finally {
      await lock.retake();
    }
    return this.#write(current, null);
  }

  /** Whether this is the only tab of the origin on this store (Web Locks say so); `false` when they cannot tell. */
  async #alone(): Promise<boolean> {
    const locks = this.#locks();
    if (!locks || !this.#present) return false;
    try {
      const { held = [] } = await locks.query();
      return held.filter((lock) => lock.name === this.#present).length <= 1;
    } catch {
      return false;
    }
  }

  /** `expected === undefined`: write whatever is stored. */
  async #write(expected: TokenSet | null | undefined, next: TokenSet | null): Promise<boolean> {
    this.#listen();
    const value = copy(next);
    const records = await this.#open();
    const v = records.kind === 'idb' ? 0 : Math.max(this.#latest.v + 1, Date.now());
    const wrote = await records.write((stored) => expected === undefined || sameTokens(stored, expected), value, v);
    if (wrote) await this.#wrote(records, value, v);
    return wrote;
  }

  /**
   * Records a write made through this object, then tells the other tabs (write first, then
   * broadcast). The new version's lock is held before this returns, so before the refresh lock is
   * released (versions.ts).
   */
  async #wrote(records: Records, tokens: TokenSet | null, v: number): Promise<void> {
    this.#writes++;
    this.#cache = this.#heard = copy(tokens);
    this.#latest = { tokens: copy(tokens), v };
    if (v) await this.#registry(records)?.know(v);
    this.#channel?.post(v ? { t: copy(tokens), v } : { t: copy(tokens) });
  }

  /**
   * One `fn` at a time across every tab of the origin (Web Locks, or the fallbacks); see the class
   * notes. `options.refreshTimeoutMs` (the plugin passes its own) is how long `fn`'s refresh may wait
   * for its answer: no other tab takes the lock over before that has passed.
   */
  async lock<T>(fn: () => Promise<T>, options?: LockOptions): Promise<T> {
    this.#listen();
    const given = options?.refreshTimeoutMs;
    const refreshTimeoutMs = typeof given === 'number' && Number.isFinite(given) && given > 0 ? given : DEFAULT_REFRESH_TIMEOUT_MS;
    this.#locked++;
    try {
      return await this.#tabMutex(async () => {
        const lock = await takeTabLock({
          name: this.#name,
          key: this.#key,
          timing: { timeoutMs: this.#lockTimeoutMs, refreshTimeoutMs },
          news: this.#news,
          locks: () => this.#locks(),
          refused: () => (this.#locksRefused = true),
          records: () => this.#open(),
          announce: () => this.#channel?.post({ r: 1 }),
        });
        this.#held = { lock, read: false };
        try {
          return await fn();
        } finally {
          this.#held = undefined;
          if (this.#records) await this.#intend(this.#records, undefined, lock.owner);
          await lock.release();
        }
      });
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
    if (this.#listening && typeof removeEventListener === 'function') {
      removeEventListener('resume', this.#forget);
      removeEventListener('pageshow', this.#forget);
    }
    this.#channel?.close();
    this.#channel = undefined;
    this.#listening = false;
    this.#leave?.();
    this.#leave = this.#present = undefined;
    this.#records?.close();
    this.#versions?.close();
    this.#records = this.#opening = this.#cache = this.#versions = undefined;
  }

  /** Keeps tokens out of `console.log` / `util.inspect` output. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `BrowserTokenStore { key: ${JSON.stringify(this.#key)} }`;
  }

  toJSON(): object {
    return { key: this.#key };
  }
}
