import { inspect } from 'node:util';
import { BrowserTokenStore } from '../../lib/browser';
import type { TokenSet } from '../../lib/types';

// BrowserTokenStore outside a browser: Node has BroadcastChannel but neither IndexedDB nor Web Locks,
// so this exercises the memory fallback (tokens carried by broadcasts) and the per-tab lock. The
// IndexedDB, Web Locks and multi-tab behaviour is tested in real Chromium (tabs.browser.ts).

const T1: TokenSet = { accessToken: 'access-secret-1', refreshToken: 'refresh-secret-1', expiresAt: 1_000 };
const T2: TokenSet = { accessToken: 'access-secret-2', refreshToken: 'refresh-secret-2' };

const opened: BrowserTokenStore[] = [];
const open = (key?: string) => {
  const store = new BrowserTokenStore(key === undefined ? undefined : { key });
  opened.push(store);
  return store;
};
afterEach(() => {
  for (const store of opened.splice(0)) store.close(); // an open BroadcastChannel keeps Node alive
});

/** Resolves with the next `count` values `store` reports. */
function nextReports(store: BrowserTokenStore, count = 1): Promise<Array<TokenSet | null>> {
  return new Promise((resolve) => {
    const seen: Array<TokenSet | null> = [];
    const stop = store.subscribe((tokens) => {
      seen.push(tokens);
      if (seen.length === count) {
        stop();
        resolve(seen);
      }
    });
  });
}

describe('new BrowserTokenStore(options)', () => {
  it('validates its options', () => {
    expect(() => new BrowserTokenStore({ key: '' })).toThrow('Expected `key` to be a non-empty string, got `string`');
    expect(() => new BrowserTokenStore({ lockTimeoutMs: 0 })).toThrow('Expected `lockTimeoutMs` to be a positive number, got `0`');
  });

  it('shows its key and never a token in toJSON() and util.inspect', async () => {
    const store = open('app');
    await store.set(T1);
    const shown = `${JSON.stringify(store)} ${inspect(store)} ${String(store)}`;
    expect(shown).toContain('app');
    expect(shown).not.toMatch(/secret/);
  });
});

describe('BrowserTokenStore: get, set, compareAndSet (memory fallback)', () => {
  it('returns copies: changing what get() returned changes nothing stored', async () => {
    const store = open();
    await store.set(T1);
    const read = (await store.get())!;
    read.accessToken = 'changed';
    expect(await store.get()).toEqual(T1);
  });

  it('compareAndSet writes only over the same access and refresh token, or over nothing when expecting null', async () => {
    const store = open();
    expect(await store.compareAndSet(T1, T2)).toBe(false); // empty, T1 expected
    expect(await store.compareAndSet(null, T1)).toBe(true);
    expect(await store.compareAndSet(null, T2)).toBe(false);
    expect(await store.compareAndSet({ ...T1, refreshToken: 'other' }, T2)).toBe(false);
    expect(await store.compareAndSet({ ...T1, expiresAt: 5 }, T2)).toBe(true); // expiry is not part of the identity
    expect(await store.get()).toEqual(T2);
    expect(await store.compareAndSet(T2, null)).toBe(true);
    expect(await store.get()).toBeNull();
  });
});

describe('BrowserTokenStore.subscribe(listener)', () => {
  it('reports writes made through another store object of the same key, and a clear as null, once each', async () => {
    const here = open();
    const elsewhere = open();
    const reports = nextReports(here, 2);
    await elsewhere.set(T1);
    await elsewhere.compareAndSet(T1, null);
    expect(await reports).toEqual([T1, null]);
    expect(await here.get()).toBeNull();
  });

  it('does not report writes made through the store itself, nor those of another key', async () => {
    const here = open('a');
    const other = open('b');
    const twin = open('a');
    const heard: Array<TokenSet | null> = [];
    here.subscribe((tokens) => heard.push(tokens));
    const twinHeard = nextReports(twin);
    const otherTwinHeard = nextReports(open('b'));
    await other.set(T2);
    await here.set(T1);
    expect(await otherTwinHeard).toEqual([T2]);
    expect(await twinHeard).toEqual([T1]); // delivered to a store of the same key…
    expect(heard).toEqual([]); // …but neither to the writer nor from another key
  });
});

describe('BrowserTokenStore.lock(fn) without Web Locks', () => {
  it('runs one fn at a time in this tab, and passes on its result or error', async () => {
    const store = open();
    const order: string[] = [];
    let releaseFirst!: () => void;
    const first = store.lock(async () => {
      order.push('first starts');
      await new Promise<void>((resolve) => (releaseFirst = resolve));
      order.push('first ends');
      return 1;
    });
    const second = store.lock(async () => {
      order.push('second starts');
      throw new Error('boom');
    });
    await Promise.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['first starts']);
    releaseFirst();
    await expect(first).resolves.toBe(1);
    await expect(second).rejects.toThrow('boom');
    expect(order).toEqual(['first starts', 'first ends', 'second starts']);
  });
});
