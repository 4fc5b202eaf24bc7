import fc from 'fast-check';
import type { Decline, MidExpiry, RefreshOutcome } from './model-server';

// What fast-check draws for one run: the requests (what, through which attachment, when, with which
// latencies, declines, auth answers, aborts, timeouts, throwing transforms or interceptors) and the
// caller's own actions at given turns (expiries, setTokens of another account, logout, detach and
// re-attach). Weights keep each operation frequent enough that the CI count (1,000 runs) meets it
// many times; the coverage test in refresh.property.spec.ts counts that it does.

export type CallKind = 'query' | 'addNote' | 'order' | 'rest' | 'cdn';

const weighted = <T>(...pairs: Array<[number, T]>) => fc.oneof(...pairs.map(([weight, v]) => ({ weight, arbitrary: fc.constant(v) })));

export const call = fc.record({
  kind: weighted<CallKind>([4, 'query'], [2, 'addNote'], [2, 'order'], [1, 'rest'], [1, 'cdn']),
  /** Which of the two GraphQL attachments sends it (REST calls go through the REST attachment). */
  via: fc.nat(1),
  startTurn: fc.nat(14),
  latencies: fc.array(fc.nat(4), { minLength: 1, maxLength: 4 }),
  abortAfterTurns: fc.oneof({ weight: 2, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat(12) }),
  /** How the caller gives up: an AbortSignal, or a legacy CancelToken (whose error carries no config). */
  cancelVia: fc.constantFrom<'signal' | 'cancelToken'>('signal', 'cancelToken'),
  /** A per-request axios `timeout` in ms (real time: the model's turns take microseconds). */
  timeoutMs: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(1, 3, 8) }),
  throwIn: weighted<'none' | 'transform' | 'interceptor'>([14, 'none'], [1, 'transform'], [1, 'interceptor']),
  declines: fc.oneof(
    { weight: 4, arbitrary: fc.constant<Decline[]>([]) },
    { weight: 1, arbitrary: fc.array(fc.constantFrom<Decline>('graphql', 'http429'), { minLength: 1, maxLength: 4 }) },
  ),
  authStatus: fc.constantFrom<200 | 401>(200, 401),
  placement: fc.constantFrom<'request' | 'root'>('request', 'root'),
  midExpiry: weighted<MidExpiry>([4, 'none'], [1, 'nested'], [1, 'second-field']),
});

export type Call = typeof call extends fc.Arbitrary<infer T> ? T : never;

export type EventOp = 'expire' | 'setOther' | 'logout' | 'detach';
export const event = fc.record({
  turn: fc.nat(16),
  op: weighted<EventOp>([3, 'expire'], [2, 'setOther'], [1, 'logout'], [2, 'detach']),
  /** For `detach`: which attachment (0, 1: GraphQL; 2: REST), and after how many turns it is re-attached. */
  target: fc.nat(2),
  reattachAfter: fc.nat(3),
});

export type ScheduleEvent = typeof event extends fc.Arbitrary<infer T> ? T : never;

export const schedule = fc
  .record({
    calls: fc.array(call, { minLength: 1, maxLength: 16 }),
    events: fc.array(event, { maxLength: 5 }),
    refreshOutcomes: fc.array(weighted<RefreshOutcome>([6, 'ok'], [1, 'http500'], [1, 'network'], [1, 'reject']), { maxLength: 4 }),
    refreshLatency: fc.nat(8),
    rotate: fc.boolean(),
    maxReplays: fc.integer({ min: 1, max: 2 }),
    retries: fc.integer({ min: 0, max: 2 }),
    pacing: weighted<0 | 1 | 2>([3, 0], [1, 1], [1, 2]),
    withRest: fc.boolean(),
    /**
     * Rare runs where the first refresh hangs until its deadline (then `refreshTimeoutMs` is short and
     * real), or where one request is declined for 20 s and every request is aborted (a pause must not
     * outlive them).
     */
    special: weighted<'none' | 'hang' | 'long-decline'>([24, 'none'], [1, 'hang'], [1, 'long-decline']),
  })
  .map((s) => {
    if (s.special === 'hang') {
      // The first request meets the expired token and starts the refresh that hangs; the others
      // arrive while it hangs, with a timeout far shorter than its deadline (item 8).
      const calls = s.calls.map((c, i) => (i === 0 ? { ...c, startTurn: 0, latencies: [0] } : { ...c, timeoutMs: c.timeoutMs ?? 3 }));
      const events = [{ turn: 0, op: 'expire' as const, target: 0, reattachAfter: 0 }, ...s.events];
      return { ...s, calls, events, refreshOutcomes: ['hang' as RefreshOutcome, ...s.refreshOutcomes] };
    }
    if (s.special !== 'long-decline') return s;
    const calls = s.calls.map((c, i) => ({
      ...c,
      abortAfterTurns: c.abortAfterTurns ?? 6,
      declines: i === 0 ? (['long'] as Decline[]) : c.declines,
      kind: i === 0 && (c.kind === 'rest' || c.kind === 'cdn') ? ('query' as CallKind) : c.kind,
    }));
    return { ...s, calls };
  });

export type Schedule = typeof schedule extends fc.Arbitrary<infer T> ? T : never;
