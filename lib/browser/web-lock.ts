// The refresh lock on Web Locks, shared by every tab and worker of the origin. The browser releases a
// tab's locks when it closes or crashes; a tab that stays alive but never lets go (hung, frozen) is
// taken over — once, never in a cascade (docs/browser.md, "A tab that hangs or freezes"):
// - the holder, once granted, also holds a *marker* lock whose name says when it may be taken over:
//   `lockTimeoutMs` after it was granted, and never before its refresh deadline plus a margin (an
//   answer still on its way to it could be stored);
// - a waiter reads the markers (`query()`), sleeps until that time, then asks for a short
//   `…!takeover` lock with `ifAvailable`: of several waiters one gets it; it checks the stale marker
//   is still there (no one took over meanwhile), steals that marker and the lock, and places its own
//   marker before letting the `…!takeover` lock go. The others find the new marker, with a new time.
// If the lock is stolen from *this* tab while its work runs, the work still finishes; only the
// exclusion ended early.

/** The least time past the holder's refresh deadline before it may be taken over. */
const MARGIN_MS = 1_000;

export interface LockTiming {
  /** How long a holder may keep the lock before the others take it over. */
  timeoutMs: number;
  /** How long the holder's refresh may wait for its answer. */
  refreshTimeoutMs: number;
}

export interface HeldWebLock {
  release(): void;
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const sleep = (ms: number, until: Promise<unknown>) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, Math.max(0, ms));
    void until.then(
      () => (clearTimeout(timer), resolve()),
      () => (clearTimeout(timer), resolve()),
    );
  });

/** The marker a holder places: `name#<when it may be taken over>#<random>`. */
const markerPrefix = (name: string) => `${name}#`;
function takeoverTimeOf(name: string, lock: LockInfo): number | undefined {
  if (!lock.name?.startsWith(markerPrefix(name))) return undefined;
  const at = Number(lock.name.slice(markerPrefix(name).length).split('#')[0]);
  return Number.isFinite(at) ? at : undefined;
}

/**
 * Resolves once this tab holds the lock `name` (granted in turn, or taken over from a holder past its
 * time); rejects if the Web Locks API refuses (a `SecurityError` in an opaque origin).
 */
export function holdWebLock(locks: LockManager, name: string, timing: LockTiming): Promise<HeldWebLock> {
  const grant = deferred<HeldWebLock>();
  const state = { granted: false, takingOver: false, controller: new AbortController() };
  const onGranted = async () => {
    state.granted = true;
    const released = deferred<void>();
    const markerReleased = deferred<void>();
    const at = Date.now() + Math.max(timing.timeoutMs, timing.refreshTimeoutMs + MARGIN_MS);
    const marker = `${markerPrefix(name)}${at}#${Math.random().toString(36).slice(2)}`;
    await new Promise<void>((placed) => {
      locks.request(marker, { ifAvailable: true }, () => (placed(), markerReleased.promise)).catch(() => placed());
    });
    grant.resolve({ release: () => released.resolve() });
    await released.promise;
    markerReleased.resolve();
  };
  locks.request(name, { mode: 'exclusive', signal: state.controller.signal }, onGranted).catch((error: unknown) => {
    if (!state.granted && !state.takingOver) grant.reject(error);
  });
  void watch(locks, name, timing, state, grant, onGranted);
  return grant.promise;
}

interface WaitState {
  granted: boolean;
  takingOver: boolean;
  controller: AbortController;
}

/** While waiting: sleeps until the holder's takeover time, then tries to take over (once per stale holder). */
async function watch(
  locks: LockManager,
  name: string,
  timing: LockTiming,
  state: WaitState,
  grant: ReturnType<typeof deferred<HeldWebLock>>,
  onGranted: () => Promise<void>,
) {
  let heldWithoutMarkerSince: number | undefined;
  while (!state.granted && !state.takingOver) {
    let held: LockInfo[];
    try {
      ({ held = [] } = await locks.query());
    } catch {
      return; // query refused: the request itself will say so
    }
    const markers = held
      .map((lock) => ({ lock, at: takeoverTimeOf(name, lock) }))
      .filter((m): m is { lock: LockInfo; at: number } => m.at !== undefined);
    const newest = markers.sort((a, b) => b.at - a.at)[0];
    if (!newest && held.some((lock) => lock.name === name)) heldWithoutMarkerSince ??= Date.now();
    const due = newest ? newest.at : heldWithoutMarkerSince !== undefined ? heldWithoutMarkerSince + timing.timeoutMs : Date.now() + 50;
    if (Date.now() < due || !held.some((lock) => lock.name === name)) {
      await sleep(Math.min(Math.max(due - Date.now(), 20), 60_000), grant.promise);
      continue;
    }
    if (await takeOver(locks, name, newest?.lock.name, state, grant, onGranted)) return;
  }
}

async function takeOver(
  locks: LockManager,
  name: string,
  stale: string | undefined,
  state: WaitState,
  grant: ReturnType<typeof deferred<HeldWebLock>>,
  onGranted: () => Promise<void>,
): Promise<boolean> {
  return locks
    .request(`${name}!takeover`, { ifAvailable: true }, async (lock) => {
      if (!lock || state.granted) return false;
      const { held = [] } = await locks.query();
      // Someone took over (or the holder let go) meanwhile: wait for the new holder instead.
      const stillThere = stale ? held.some((l) => l.name === stale) : !held.some((l) => takeoverTimeOf(name, l) !== undefined);
      if (state.granted || !stillThere) return false;
      state.takingOver = true;
      state.controller.abort(); // our place in the queue: we take the lock now instead
      if (stale) await locks.request(stale, { steal: true }, () => undefined).catch(() => undefined);
      locks.request(name, { mode: 'exclusive', steal: true }, onGranted).catch((error: unknown) => {
        if (!state.granted) grant.reject(error);
      });
      await grant.promise.catch(() => undefined); // our marker is placed before `…!takeover` is let go
      return true;
    })
    .catch(() => false);
}
