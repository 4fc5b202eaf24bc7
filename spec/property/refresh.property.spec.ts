import fc from 'fast-check';
import { HANG_DEADLINE_MS, runSchedule, type Observation } from './runner';
import { schedule, type Schedule } from './schedule';

// Model-based properties (issue 9, "Make the suite find this class"): random schedules of requests
// and of the caller's own actions against the in-memory model (model-server.ts), drawn by
// schedule.ts, run by runner.ts. PROPERTY_RUNS sets the number of runs (CI: the default 1,000; the
// nightly script: 50,000). PROPERTY_INVARIANTS=a,b checks only the named invariants (to look for
// the counterexamples of one class while another is still open).

const RUNS = Number(process.env.PROPERTY_RUNS) || 1_000;
const ONLY = process.env.PROPERTY_INVARIANTS?.split(',').filter(Boolean);

/** Operations and stages each must be met by some runs: an invariant never exercised proves nothing. */
const MUST_SEE = [
  'set-other',
  'logout',
  'set-mid-refresh',
  'detach',
  'reattach',
  'abort:held',
  'abort:awaiting-replay',
  'abort:in-flight',
  'abort:replay',
  'outcome:timeout',
  'outcome:canceled',
  'outcome:user-throw:transform',
  'outcome:user-throw:interceptor',
  'outcome:session-expired',
  'outcome:refresh-failed',
  'outcome:graphql:UNAUTHENTICATED',
  'outcome:http401',
  'outcome:ok',
  'pacing:1',
  'pacing:2',
  'rest-attachment',
  'cdn',
  'hang',
  'auth:200',
  'auth:401',
  'auth:request',
  'auth:root',
  'auth:nested',
  'auth:secondField',
  'auth:rest',
  'decline:graphql',
  'decline:http429',
  'decline:long',
  'refresh:success',
] as const;

function check(name: string, assertion: () => void): void {
  if (!ONLY || ONLY.includes(name)) assertion();
}

/** Every invariant of issue 9, each an explicit expectation. */
function assertInvariants(s: Schedule, o: Observation): void {
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
  check('one-refresh-per-expiry', () => {
    expect(stats.refreshSuccesses).toBeLessThanOrEqual(stats.expiries);
  });
  check('nothing-outlives', () => {
    expect(o.refreshStillRunning).toBe(false);
    expect(o.followUpHung).toEqual([]);
    expect(o.leftTimers).toBeLessThanOrEqual(0);
  });
  check('timeout-covers-waiting', () => {
    // A request with its own `timeout` (≤ 8 ms) never waits for a hanging refresh's deadline.
    const slow = o.outcomes.filter((x) => x.call.timeoutMs !== null && x.elapsedMs >= HANG_DEADLINE_MS).map((x) => ({ id: x.id, kind: x.kind, ms: x.elapsedMs }));
    expect(slow).toEqual([]);
  });
}

describe('attachTokenRefresh(instance): properties over random schedules of requests and caller actions', () => {
  const seen: Record<string, number> = {};
  let runs = 0;
  let totalMs = 0;
  let hungRuns = 0;

  it(`holds every invariant over ${RUNS} random schedules`, async () => {
    await fc.assert(
      fc.asyncProperty(schedule, async (s) => {
        const started = performance.now();
        const o = await runSchedule(s);
        const ms = performance.now() - started;
        totalMs += ms;
        runs++;
        if (o.hung.length || o.followUpHung.length) hungRuns++;
        for (const [k, n] of Object.entries(o.seen)) seen[k] = (seen[k] ?? 0) + n;
        const st = o.server.stats;
        for (const [k, n] of Object.entries(st.authAnswers)) if (n) seen[`auth:${k}`] = (seen[`auth:${k}`] ?? 0) + n;
        for (const [k, n] of Object.entries(st.declines)) if (n) seen[`decline:${k}`] = (seen[`decline:${k}`] ?? 0) + n;
        if (st.refreshSuccesses) seen['refresh:success'] = (seen['refresh:success'] ?? 0) + 1;
        assertInvariants(s, o);
      }),
      { numRuns: RUNS, verbose: 0, interruptAfterTimeLimit: Number(process.env.PROPERTY_TIME_LIMIT_MS) || 600_000, markInterruptAsFailure: true },
    );
  }, 3_600_000);

  it('exercises every drawn operation, stage and answer in some runs (the invariants are not vacuous)', () => {
    if (process.env.PROPERTY_VERBOSE) console.log({ runs, averageMs: totalMs / Math.max(1, runs), hungRuns, seen });
    const missing = MUST_SEE.filter((k) => !seen[k]);
    expect(missing).toEqual([]);
  });
});
