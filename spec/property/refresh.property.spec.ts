import fc from 'fast-check';
import { COUNTEREXAMPLES } from './counterexamples';
import { assertInvariants, brokenInvariants } from './invariants';

// PROPERTY_TALLY=1 (with PROPERTY_INVARIANTS=none) counts, instead of failing, how many runs break each
// invariant: how often the CI count meets each class.
const TALLY = process.env.PROPERTY_TALLY === '1';

import { runSchedule } from './runner';
import { schedule } from './schedule';

// Model-based properties (docs/reliability.md, "How it is tested"): random schedules of requests
// and of the caller's own actions against the in-memory model (model-server.ts), drawn by
// schedule.ts, run by runner.ts. PROPERTY_RUNS sets the number of runs (CI: the default 1,000; the
// nightly script: 50,000). The invariants are in invariants.ts; the counterexamples found on the
// 0.1.0 code run first, as fixed examples (counterexamples.ts).

const RUNS = Number(process.env.PROPERTY_RUNS) || 1_000;

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
  'held-during-failed-refresh',
  'timed-request-during-refresh',
  'timeout:held',
  'timeout:in-flight',
] as const;

describe('attachTokenRefresh(instance): properties over random schedules of requests and caller actions', () => {
  const seen: Record<string, number> = {};
  let runs = 0;
  let totalMs = 0;
  let hungRuns = 0;
  let cleanRuns = 0;
  let cleanMs = 0;
  let cpuMs = 0;

  it(`holds every invariant over ${RUNS} random schedules`, async () => {
    await fc.assert(
      fc.asyncProperty(schedule, async (s) => {
        const started = performance.now();
        const cpu = process.cpuUsage();
        const o = await runSchedule(s);
        const ms = performance.now() - started;
        const used = process.cpuUsage(cpu);
        cpuMs += (used.user + used.system) / 1000;
        totalMs += ms;
        runs++;
        if (o.hung.length || o.followUpHung.length) hungRuns++;
        else if (s.special === 'none') {
          cleanRuns++;
          cleanMs += ms;
        }
        for (const [k, n] of Object.entries(o.seen)) seen[k] = (seen[k] ?? 0) + n;
        const st = o.server.stats;
        for (const [k, n] of Object.entries(st.authAnswers)) if (n) seen[`auth:${k}`] = (seen[`auth:${k}`] ?? 0) + n;
        for (const [k, n] of Object.entries(st.declines)) if (n) seen[`decline:${k}`] = (seen[`decline:${k}`] ?? 0) + n;
        if (st.refreshSuccesses) seen['refresh:success'] = (seen['refresh:success'] ?? 0) + 1;
        if (TALLY) for (const name of brokenInvariants(s, o)) seen[`broken:${name}`] = (seen[`broken:${name}`] ?? 0) + 1;
        assertInvariants(s, o);
      }),
      {
        numRuns: RUNS,
        verbose: 0,
        // PROPERTY_EXAMPLES=0 searches without them (to look for other classes while these are open).
        examples: process.env.PROPERTY_EXAMPLES === '0' ? [] : COUNTEREXAMPLES.map((c) => [c.schedule] as [typeof c.schedule]),
        // Only when asked (to bound a search while bugs make runs hang): the nightly 50,000 runs take ~20 min.
        ...(process.env.PROPERTY_TIME_LIMIT_MS
          ? { interruptAfterTimeLimit: Number(process.env.PROPERTY_TIME_LIMIT_MS), markInterruptAsFailure: true }
          : {}),
      },
    );
  }, 3_600_000);

  it('exercises every drawn operation, stage and answer in some runs (the invariants are not vacuous)', () => {
    if (process.env.PROPERTY_VERBOSE)
      console.log({
        runs,
        averageMs: totalMs / Math.max(1, runs),
        hungRuns,
        cleanRuns,
        cleanAverageMs: cleanMs / Math.max(1, cleanRuns),
        cpuAverageMs: cpuMs / Math.max(1, runs),
        seen,
      });
    const missing = MUST_SEE.filter((k) => !seen[k]);
    expect(missing).toEqual([]);
  });
});

describe('attachTokenRefresh(instance): the counterexamples found so far hold every invariant', () => {
  it.each(COUNTEREXAMPLES.map((c) => [`${c.title} (${c.invariant}; found on ${c.foundOn.split(' (')[0]})`, c] as const))(
    '%s',
    async (_, c) => {
      const o = await runSchedule(c.schedule);
      expect(brokenInvariants(c.schedule, o)).toEqual([]);
    },
  );
});
