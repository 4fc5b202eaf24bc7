import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { type SandboxServer, startSandboxServer } from '../../lib/testing';
import type { BurstResult } from './app/main';
import {
  bundleApp,
  describeWithChromium,
  hasChromium,
  launchChromium,
  openTab,
  type PageServer,
  pageErrors,
  startPageServer,
} from './support/harness';
import { type RefreshProxy, startRefreshProxy } from './support/refresh-proxy';

// The tabs chaos suite (docs/browser.md, "Failure matrix"): tabs of one origin on one
// BrowserTokenStore in real Chromium, against the sandbox with rotating refresh tokens and reuse
// detection — one spent refresh token presented ends the session in every tab — behind a proxy that
// can hold the answer of a refresh (the server has rotated, the tab has not seen the new token).
// Faults: a lock holder that hangs, or freezes (its JavaScript paused), with four tabs waiting; a tab
// closed or reloaded in the middle of the refresh round trip; browser APIs that are missing or
// refuse, alone and combined; a tab whose localStorage reads lag the other tabs' writes. Invariants, from what the server saw and what the tabs got: at most one
// refresh per expiry; no spent refresh token ever presented; nobody signed out while the session is
// valid or a tab holds the credentials (the tab that signed in keeps the password and logs in again).

const describeIf = describeWithChromium();

/** Short timings so a hung holder is taken over within seconds: lockTimeoutMs > refreshTimeoutMs, as docs/browser.md asks. */
const TIMING = { lockTimeoutMs: 1_000, refreshTimeoutMs: 2_500 };
const BURST = Number(process.env.CHAOS_BURST ?? 10);
/** Expiries per API configuration (CHAOS_RUNS for more). */
const RUNS = Number(process.env.CHAOS_RUNS ?? 2);

let browser: Browser;
let pages: PageServer;
let context: BrowserContext | undefined;
let sandbox: SandboxServer | undefined;
let proxy: RefreshProxy | undefined;

beforeAll(async () => {
  if (!hasChromium) return;
  const script = await bundleApp();
  [browser, pages] = await Promise.all([launchChromium(), startPageServer(script)]);
});
afterAll(async () => {
  await browser?.close();
  await pages?.close();
});
afterEach(async () => {
  // With reuse detection a single spent refresh token presented would have ended the session everywhere.
  const reused = sandbox?.stats.reusedRefreshTokens;
  proxy?.release();
  await context?.close();
  await proxy?.close();
  await sandbox?.close();
  context = sandbox = proxy = undefined;
  expect(pageErrors.splice(0)).toEqual([]);
  expect(reused ?? 0).toBe(0);
});

const api = () => proxy!.url;

/** Opens a tab running the app with the suite's timings. */
async function tab(): Promise<Page> {
  const page = await openTab(context!, pages.origin, api());
  await page.evaluate((o) => window.app.start(o), { rotatingRefreshTokens: true, ...TIMING });
  return page;
}

/** `count` tabs; the first signs in with the password and keeps it (it can log in again). */
async function setUp(count: number, initScript?: () => void): Promise<Page[]> {
  sandbox = await startSandboxServer({ rateLimits: false, rotateRefreshTokens: true, refreshReuseDetection: true, latencyMs: 2 });
  proxy = await startRefreshProxy(sandbox.url);
  context = await browser.newContext();
  if (initScript) await context.addInitScript(initScript);
  const tabs: Page[] = [];
  for (let i = 0; i < count; i++) tabs.push(await tab());
  await tabs[0]!.evaluate(([u, p]) => window.app.signIn(u, p), [sandbox.username, sandbox.password] as const);
  return tabs;
}

const burst = (page: Page, n = BURST) => page.evaluate((count) => window.app.burst(count), n);
const signedOut = (tabs: Page[]) => Promise.all(tabs.map((t) => t.evaluate(() => window.app.signedOutCount())));
const answered = (n = BURST): BurstResult => ({ ok: n, signedOut: 0, failures: [] });

/** What the server saw since `before`. */
function since(before: SandboxServer['stats']) {
  const now = sandbox!.stats;
  return { refreshes: now.refreshes - before.refreshes, logins: now.logins - before.logins };
}

/** Pauses a tab's JavaScript (timers, lock callbacks, network handlers): a frozen tab, as far as the others can tell. */
async function freeze(page: Page): Promise<() => Promise<void>> {
  const cdp: CDPSession = await context!.newCDPSession(page);
  await cdp.send('Debugger.enable');
  await cdp.send('Debugger.pause');
  return async () => {
    await cdp.send('Debugger.resume');
    await cdp.detach();
  };
}

const removals = {
  'Web Locks missing': () => Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined, configurable: true }),
  // A sandboxed iframe, some privacy modes: the API is there, and refuses.
  'Web Locks refuse (SecurityError)': () => {
    const refuse = () => Promise.reject(new DOMException('The request was denied.', 'SecurityError'));
    Object.defineProperty(LockManager.prototype, 'request', { value: refuse, configurable: true });
    Object.defineProperty(LockManager.prototype, 'query', { value: refuse, configurable: true });
  },
  'BroadcastChannel missing': () => void delete (globalThis as { BroadcastChannel?: unknown }).BroadcastChannel,
  'localStorage refuses': () =>
    Object.defineProperty(globalThis, 'localStorage', {
      get: () => {
        throw new DOMException('Access is denied for this document.', 'SecurityError');
      },
      configurable: true,
    }),
  'IndexedDB missing': () => Object.defineProperty(globalThis, 'indexedDB', { get: () => undefined, configurable: true }),
  'reading indexedDB throws (SecurityError)': () =>
    Object.defineProperty(globalThis, 'indexedDB', {
      get: () => {
        throw new DOMException('The operation is insecure.', 'SecurityError');
      },
      configurable: true,
    }),
};
type Removal = keyof typeof removals;
/** Runs several removals, in one init script (each is serialised on its own: no closure survives). */
const combined = (...names: Removal[]) => new Function(names.map((n) => `(${removals[n].toString()})();`).join('\n')) as () => void;

describeIf('tabs chaos: a lock holder that hangs or freezes, four tabs waiting (rotating refresh tokens, reuse detection)', () => {
  it.each([
    ['Web Locks', undefined],
    ['the IndexedDB lease (no Web Locks)', removals['Web Locks missing']],
  ] as const)(
    '%s, holder hung: exactly one takeover, one refresh, every request answered, nobody signed out',
    async (_name, initScript) => {
      const tabs = await setUp(4, initScript);
      const holder = await tab();
      await holder.evaluate((t) => window.app.holdLock(t), TIMING); // alive, never lets go
      // A refresh slower than the spread of the waiters' timers: a cascade of takeovers would overlap refreshes.
      proxy!.slowRefreshes(400);
      sandbox!.expireAccessTokens();
      const before = { ...sandbox!.stats };
      const results = await Promise.all(tabs.map((t) => burst(t)));
      expect({ results, ...since(before), signedOut: await signedOut(tabs) }).toEqual({
        results: tabs.map(() => answered()),
        refreshes: 1,
        logins: 0,
        signedOut: [0, 0, 0, 0],
      });
    },
  );

  it('Web Locks, holder frozen after the server rotated its refresh token: one takeover; the spent token is never presented again; the tab with the password logs in once; nobody signed out', async () => {
    const tabs = await setUp(4);
    const frozen = await tab();
    sandbox!.expireAccessTokens();
    const before = { ...sandbox!.stats };
    const held = proxy!.holdNextRefreshAnswer();
    const frozenBurst = burst(frozen, 3).catch(() => undefined);
    await held; // the server has rotated; the answer waits
    const thaw = await freeze(frozen);
    const results = await Promise.all(tabs.map((t) => burst(t)));
    expect({ results, ...since(before), signedOut: await signedOut(tabs) }).toEqual({
      results: tabs.map(() => answered()),
      refreshes: 1,
      logins: 1,
      signedOut: [0, 0, 0, 0],
    });
    proxy!.release();
    await thaw();
    await frozenBurst;
    expect(await burst(frozen, 3)).toEqual(answered(3)); // back, it uses the new session
  });
});

describeIf(
  'tabs chaos: a tab closed or reloaded in the middle of the refresh round trip (rotating refresh tokens, reuse detection)',
  () => {
    it.each(['closed', 'reloaded'] as const)(
      '%s after the server rotated: the spent token is never presented; the tab with the password logs in once; every other request answered, nobody signed out',
      async (fate) => {
        const tabs = await setUp(3);
        const leaving = await tab();
        sandbox!.expireAccessTokens();
        const before = { ...sandbox!.stats };
        const held = proxy!.holdNextRefreshAnswer();
        void burst(leaving, 3).catch(() => undefined);
        await held;
        if (fate === 'closed') await leaving.close();
        else {
          await leaving.reload();
          await leaving.waitForFunction(() => typeof window.app === 'object');
          await leaving.evaluate((o) => window.app.start(o), { rotatingRefreshTokens: true, ...TIMING });
        }
        proxy!.release(); // to a tab that is gone
        const survivors = fate === 'closed' ? tabs : [...tabs, leaving];
        const results = await Promise.all(survivors.map((t) => burst(t)));
        expect({ results, ...since(before), signedOut: await signedOut(survivors) }).toEqual({
          results: survivors.map(() => answered()),
          refreshes: 1,
          logins: 1,
          signedOut: survivors.map(() => 0),
        });
      },
    );
  },
);

describeIf('tabs chaos: browser APIs missing or refusing, alone and combined (rotating refresh tokens, reuse detection)', () => {
  const configs: Array<[string, () => void]> = [
    ...(Object.keys(removals) as Removal[])
      .filter((name) => name !== 'localStorage refuses')
      .map((name): [string, () => void] => [name, removals[name]]),
    [
      'IndexedDB missing, localStorage refuses (tokens in memory, carried by broadcasts)',
      combined('IndexedDB missing', 'localStorage refuses'),
    ],
    ['IndexedDB and BroadcastChannel missing (localStorage works)', combined('IndexedDB missing', 'BroadcastChannel missing')],
    ['Web Locks and BroadcastChannel missing', combined('Web Locks missing', 'BroadcastChannel missing')],
    ['Web Locks refuse, BroadcastChannel missing', combined('Web Locks refuse (SecurityError)', 'BroadcastChannel missing')],
  ];
  it.each(configs)(
    '%s: the other tabs get the session; one refresh per expiry, all answered, nobody signed out; a logout is heard',
    async (_name, initScript) => {
      const tabs = await setUp(3, initScript);
      const runs = [];
      for (let run = 1; run <= RUNS; run++) {
        sandbox!.expireAccessTokens();
        const before = { ...sandbox!.stats };
        const results = await Promise.all(tabs.map((t) => burst(t)));
        runs.push({ run, results, ...since(before), signedOut: await signedOut(tabs) });
      }
      expect(runs).toEqual(
        runs.map(({ run }) => ({ run, results: tabs.map(() => answered()), refreshes: 1, logins: 0, signedOut: [0, 0, 0] })),
      );
      await tabs[0]!.evaluate(() => window.app.signOut());
      expect(await Promise.all(tabs.slice(1).map((t) => t.evaluate(() => window.app.untilSignedOut(1, 10_000))))).toEqual([1, 1]);
    },
  );

  it('in <iframe sandbox="allow-scripts"> (Web Locks, IndexedDB and localStorage all refuse): sign-in works and every request is answered', async () => {
    sandbox = await startSandboxServer({ rateLimits: false, rotateRefreshTokens: true, refreshReuseDetection: true });
    proxy = await startRefreshProxy(sandbox.url);
    context = await browser.newContext();
    const host = await context.newPage();
    host.on('pageerror', (error) => pageErrors.push(`${error.name}: ${error.message}`));
    await host.goto(`${pages.origin}/sandboxed?api=${encodeURIComponent(api())}`);
    const frame = await (await host.waitForSelector('iframe')).contentFrame();
    await frame!.waitForFunction(() => typeof window.app === 'object');
    await frame!.evaluate((o) => window.app.start(o), { rotatingRefreshTokens: true });
    expect(await frame!.evaluate(([u, p]) => window.app.signInOutcome(u, p), [sandbox.username, sandbox.password] as const)).toBe('ok');
    expect(await frame!.evaluate(() => window.app.burst(5))).toEqual(answered(5));
    sandbox.expireAccessTokens();
    expect(await frame!.evaluate(() => window.app.burst(5))).toEqual(answered(5));
    expect(sandbox.stats.refreshes).toBe(1);
  });
});

/**
 * Installed before the app: `window.localStorageLag.hold()` freezes what this tab reads of the
 * localStorage writes *other* tabs make (its own still show), as a renderer whose copy of localStorage
 * has not yet received another process's writes; `release()` ends it. In Chromium that lag is a few
 * milliseconds and rare (docs/browser.md, "Fallbacks"); held, it spans a whole hand-over of the lock.
 */
function localStorageLags(): void {
  const proto = Storage.prototype;
  const { getItem, setItem, removeItem } = proto;
  let view: Map<string, string | null> | undefined;
  const lagging = (storage: Storage) => view !== undefined && storage === globalThis.localStorage;
  proto.getItem = function (this: Storage, key: string) {
    return lagging(this) ? (view!.get(key) ?? null) : getItem.call(this, key);
  };
  proto.setItem = function (this: Storage, key: string, value: string) {
    setItem.call(this, key, value);
    if (lagging(this)) view!.set(key, String(value));
  };
  proto.removeItem = function (this: Storage, key: string) {
    removeItem.call(this, key);
    if (lagging(this)) view!.delete(key);
  };
  (globalThis as { localStorageLag?: object }).localStorageLag = {
    hold() {
      const storage = globalThis.localStorage;
      view = new Map();
      for (let i = 0; i < storage.length; i++) view.set(storage.key(i)!, getItem.call(storage, storage.key(i)!));
    },
    release() {
      view = undefined;
    },
  };
}

type Lag = { hold(): void; release(): void };
const lag = (page: Page, what: 'hold' | 'release') =>
  page.evaluate((w) => (globalThis as unknown as { localStorageLag: Lag }).localStorageLag[w](), what);

/** Resolves once some tab of the origin waits for a Web Lock (the refresh lock: the others are shared). */
async function untilLockAwaited(page: Page): Promise<void> {
  while ((await page.evaluate(() => window.app.lockWaiters())) === 0);
}

describeIf('tabs chaos: one tab reads localStorage late (IndexedDB missing; rotating refresh tokens, reuse detection)', () => {
  const initScript = new Function(`(${removals['IndexedDB missing'].toString()})();\n(${localStorageLags.toString()})();`) as () => void;

  /** Three more expiries with both tabs bursting, the lag over: one refresh each, all answered, nobody signed out. */
  async function afterwards(tabs: Page[]) {
    const runs = [];
    for (let run = 1; run <= 3; run++) {
      sandbox!.expireAccessTokens();
      const before = { ...sandbox!.stats };
      const results = await Promise.all(tabs.map((t) => burst(t)));
      runs.push({ run, results, ...since(before), signedOut: await signedOut(tabs) });
    }
    return runs;
  }
  const good = (tabs: Page[]) =>
    [1, 2, 3].map((run) => ({ run, results: tabs.map(() => answered()), refreshes: 1, logins: 0, signedOut: tabs.map(() => 0) }));

  it('it takes the lock after the other tab refreshed: it adopts the new tokens, and what it writes beside them (its intent) never brings the older ones back', async () => {
    const tabs = await setUp(2, initScript);
    const [refresher, late] = tabs as [Page, Page];
    expect(await Promise.all(tabs.map((t) => burst(t, 1)))).toEqual([answered(1), answered(1)]);
    await lag(late, 'hold');
    sandbox!.expireAccessTokens();
    const before = { ...sandbox!.stats };
    const held = proxy!.holdNextRefreshAnswer();
    const first = burst(refresher);
    await held; // the refresher holds the lock, its refresh answered
    const second = burst(late);
    await untilLockAwaited(late); // the late tab's requests failed: it waits for the lock
    proxy!.release();
    expect({ results: await Promise.all([first, second]), ...since(before) }).toEqual({
      results: [answered(), answered()],
      refreshes: 1,
      logins: 0,
    });
    await lag(late, 'release');
    expect(await afterwards(tabs)).toEqual(good(tabs));
  });

  it('it refreshes next: its refresh starts from the tokens it heard of, and its result is stored', async () => {
    const tabs = await setUp(2, initScript);
    const [refresher, late] = tabs as [Page, Page];
    expect(await Promise.all(tabs.map((t) => burst(t, 1)))).toEqual([answered(1), answered(1)]);
    await lag(late, 'hold');
    sandbox!.expireAccessTokens();
    let before = { ...sandbox!.stats };
    expect({ result: await burst(refresher), ...since(before) }).toEqual({ result: answered(), refreshes: 1, logins: 0 });
    before = { ...sandbox!.stats };
    expect({ result: await burst(late), ...since(before) }).toEqual({ result: answered(), refreshes: 0, logins: 0 });
    sandbox!.expireAccessTokens();
    before = { ...sandbox!.stats };
    expect({ result: await burst(late), ...since(before) }).toEqual({ result: answered(), refreshes: 1, logins: 0 });
    await lag(late, 'release');
    expect(await afterwards(tabs)).toEqual(good(tabs));
  });
});

describeIf('tabs chaos: a tab with no session', () => {
  it('opened before sign-in, and after a sign-out (opened, reloaded): requests fail with SessionExpiredError — the app shows its login — never LoginError', async () => {
    sandbox = await startSandboxServer({ rateLimits: false, rotateRefreshTokens: true, refreshReuseDetection: true });
    proxy = await startRefreshProxy(sandbox.url);
    context = await browser.newContext();
    const early = await tab();
    expect(await burst(early, 3)).toEqual({ ok: 0, signedOut: 3, failures: [] });
    const signer = await tab();
    await signer.evaluate(([u, p]) => window.app.signIn(u, p), [sandbox.username, sandbox.password] as const);
    expect(await burst(early, 3)).toEqual(answered(3)); // the session, once someone signed in
    await signer.evaluate(() => window.app.signOut());
    const late = await tab();
    expect(await burst(late, 3)).toEqual({ ok: 0, signedOut: 3, failures: [] });
    await early.reload();
    await early.waitForFunction(() => typeof window.app === 'object');
    await early.evaluate((o) => window.app.start(o), { rotatingRefreshTokens: true, ...TIMING });
    expect(await burst(early, 3)).toEqual({ ok: 0, signedOut: 3, failures: [] });
    expect(sandbox.stats.logins).toBe(1);
  });
});
