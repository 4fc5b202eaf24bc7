import type { Observation } from './runner';
import type { Schedule } from './schedule';

// The invariants (docs/reliability.md, "Guarantees") over one observed run, each an explicit expectation and each named, so
// PROPERTY_INVARIANTS=a,b can check a subset (to look for the counterexamples of one class while
// another is still open).

const ONLY = process.env.PROPERTY_INVARIANTS?.split(',').filter(Boolean);

export const INVARIANTS = [
  'settles',
  'typed',
  'mutation-once',
  'tokens-stay-home',
  'caller-tokens-kept',
  'no-stale-send',
  'failed-refresh-releases-no-dead-token',
  'one-refresh-per-expiry',
  'nothing-outlives',
  'timeout-covers-waiting',
] as const;
export type Invariant = (typeof INVARIANTS)[number];

type Check = (name: Invariant, assertion: () => void) => void;

const checkSelected: Check = (name, assertion) => {
  if (!ONLY || ONLY.includes(name)) assertion();
};

/** Every invariant, each an explicit expectation; the first one broken throws. */
export function assertInvariants(s: Schedule, o: Observation): void {
  checkAll(s, o, checkSelected);
}

/** The names of every invariant the run broke (all are checked), for the counterexample tests. */
export function brokenInvariants(s: Schedule, o: Observation): Invariant[] {
  const broken: Invariant[] = [];
  checkAll(s, o, (name, assertion) => {
    try {
      assertion();
    } catch {
      broken.push(name);
    }
  });
  return broken;
}

function checkAll(s: Schedule, o: Observation, check: Check): void {
  const { stats } = o.server;
  check('settles', () => {
    // Every request settles, exactly once (a promise cannot settle twice; the outcome list would show a duplicate id).
    expect(o.hung).toEqual([]);
    expect(o.outcomes.map((x) => x.id).sort((a, b) => a - b)).toEqual(s.calls.map((_, id) => id));
  });
  check('typed', () => {
    // With a typed outcome: CanceledError (aborted), axios' timeout error (with a timeout), SessionExpiredError,
    // TokenRefreshError, GraphQLRequestError UNAUTHENTICATED/RATE_LIMITED, the user's own thrown Error,
    // HTTP 429 after the waits, HTTP 401 from the REST API.
    const untyped = o.outcomes.filter((x) => x.kind === 'untyped').map((x) => ({ id: x.id, error: String(x.error) }));
    expect(untyped).toEqual([]);
  });
  check('mutation-once', () => {
    const twice = [...stats.executions].filter(([, n]) => n > 1).map(([key]) => key);
    expect(twice).toEqual([]);
  });
  check('tokens-stay-home', () => {
    expect(stats.leaks).toEqual([]);
  });
  check('caller-tokens-kept', () => {
    expect(o.overwritten).toEqual([]);
  });
  check('no-stale-send', () => {
    expect(stats.staleSends).toEqual([]);
  });
  check('failed-refresh-releases-no-dead-token', () => {
    expect(o.heldWithDeadToken).toEqual([]);
  });
  check('one-refresh-per-expiry', () => {
    expect(stats.refreshSuccesses).toBeLessThanOrEqual(stats.expiries);
  });
  check('nothing-outlives', () => {
    expect(o.refreshStillRunning).toBe(false);
    expect(o.followUpHung).toEqual([]);
    expect(o.leftTimers).toBeLessThanOrEqual(0);
  });
  check('timeout-covers-waiting', () => {
    // A request's own `timeout` bounds it wherever it waits — held at the gate, behind a refresh, for
    // a pacing slot, in flight, in a replay (item 8): it has settled a few turns after its timeout ran
    // out. Judged by timer order and turns, not wall time; the time the process stood still (a loaded
    // machine, a GC pause) is granted on top, since a timer armed after a stall is due that much later
    // (runner.ts, watchTimeout; stall-clock.ts).
    expect(o.timeoutOverruns).toEqual([]);
  });
}
