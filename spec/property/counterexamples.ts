import type { Invariant } from './invariants';
import type { Call, Schedule } from './schedule';

// Counterexamples the model-based properties found on the 0.1.0 code or on the rewrite, shrunk by
// fast-check or reduced by hand from its shrunk output, each with the invariant that catches it.
// refresh.property.spec.ts runs each as its own test and passes them to fast-check as `examples`, so
// every CI run checks them first.

const run: Schedule = {
  calls: [],
  events: [],
  refreshOutcomes: [],
  refreshLatency: 0,
  rotate: false,
  maxReplays: 1,
  retries: 0,
  pacing: 0,
  withRest: false,
  special: 'none',
};

const call = (over: Partial<Call>): Call => ({
  kind: 'query',
  via: 0,
  startTurn: 0,
  latencies: [0],
  abortAfterTurns: null,
  cancelVia: 'signal',
  timeoutMs: null,
  throwIn: 'none',
  declines: [],
  authStatus: 200,
  placement: 'request',
  midExpiry: 'none',
  ...over,
});

const expireAt = (turn: number) => ({ turn, op: 'expire' as const, target: 0, reattachAfter: 0 });

export interface Counterexample {
  /** The code it was found on: the packed 0.1.0, or the rewrite on main at a given commit. */
  foundOn: string;
  title: string;
  invariant: Invariant;
  schedule: Schedule;
}

export const COUNTEREXAMPLES: Counterexample[] = [
  {
    title: 'a two-field mutation whose first field ran, answered 401 at the second field, is replayed',
    invariant: 'mutation-once',
    foundOn: '0.1.0',
    schedule: { ...run, calls: [call({ kind: 'order', authStatus: 401, midExpiry: 'second-field' })] },
  },
  {
    title: 'a mutation whose nested field failed UNAUTHENTICATED (HTTP 200, data null) is replayed',
    invariant: 'mutation-once',
    foundOn: '0.1.0',
    schedule: { ...run, calls: [call({ kind: 'addNote', midExpiry: 'nested' })] },
  },
  {
    title: 'a throwing transformRequest keeps its pacing slot: with concurrency 1 the next request hangs',
    invariant: 'settles',
    foundOn: '0.1.0',
    schedule: { ...run, pacing: 1, calls: [call({ kind: 'order', throwIn: 'transform' }), call({ kind: 'addNote' })] },
  },
  {
    title: 'a throwing user request interceptor keeps its pacing slot',
    invariant: 'settles',
    foundOn: '0.1.0',
    schedule: { ...run, pacing: 1, calls: [call({ throwIn: 'interceptor' }), call({})] },
  },
  {
    title: 'a CancelToken cancelled in flight (its error has no config) keeps its pacing slot',
    invariant: 'settles',
    foundOn: '0.1.0',
    schedule: { ...run, pacing: 1, calls: [call({ latencies: [3], abortAfterTurns: 1, cancelVia: 'cancelToken' }), call({})] },
  },
  {
    title: 'a REST attachment on another origin answered 401 posts the refresh token to its own origin',
    invariant: 'tokens-stay-home',
    foundOn: '0.1.0',
    schedule: { ...run, withRest: true, events: [expireAt(0)], calls: [call({ kind: 'rest' })] },
  },
  {
    title: "that refresh's 401 ends the shared session: the GraphQL API is logged out too",
    invariant: 'caller-tokens-kept',
    foundOn: '0.1.0',
    schedule: { ...run, withRest: true, events: [expireAt(0)], calls: [call({ kind: 'rest' })] },
  },
  {
    title: 'setTokens(other account) during a refresh is overwritten by the older flight',
    invariant: 'caller-tokens-kept',
    foundOn: '0.1.0',
    schedule: {
      ...run,
      refreshLatency: 3,
      events: [expireAt(0), { turn: 2, op: 'setOther', target: 0, reattachAfter: 0 }],
      calls: [call({})],
    },
  },
  {
    title: 'a logout (setTokens(null)) during a refresh is undone by the older flight',
    invariant: 'caller-tokens-kept',
    foundOn: '0.1.0',
    schedule: {
      ...run,
      refreshLatency: 3,
      events: [expireAt(0), { turn: 2, op: 'logout', target: 0, reattachAfter: 0 }],
      calls: [call({})],
    },
  },
  {
    title: "a rejected refresh of the older account clears the new account's tokens",
    invariant: 'caller-tokens-kept',
    foundOn: '0.1.0',
    schedule: {
      ...run,
      refreshLatency: 3,
      refreshOutcomes: ['reject'],
      events: [expireAt(0), { turn: 2, op: 'setOther', target: 0, reattachAfter: 0 }],
      calls: [call({})],
    },
  },
  {
    title: 'requests held during a refresh that fails with HTTP 500 are sent with the token that failed',
    invariant: 'failed-refresh-releases-no-dead-token',
    foundOn: '0.1.0',
    schedule: { ...run, refreshLatency: 3, refreshOutcomes: ['http500'], events: [expireAt(0)], calls: [call({}), call({ startTurn: 2 })] },
  },
  {
    title: "a request's own timeout does not cover the time it is held behind a hanging refresh",
    invariant: 'timeout-covers-waiting',
    foundOn: '0.1.0',
    schedule: {
      ...run,
      special: 'hang',
      refreshOutcomes: ['hang'],
      events: [expireAt(0)],
      calls: [call({}), call({ startTurn: 2, timeoutMs: 8 })],
    },
  },
  {
    title: 'a 20 s rate-limit pause keeps a timer alive after its only waiting request was aborted',
    invariant: 'nothing-outlives',
    foundOn: '0.1.0',
    schedule: { ...run, special: 'long-decline', calls: [call({ declines: ['long'], abortAfterTurns: 3 })] },
  },
  {
    title: 'a request waiting for its pacing slot during a logout is sent with the logged-out token',
    invariant: 'no-stale-send',
    foundOn: 'main 742f50f (pacing slot taken in the adapter, token replaced only by a newer one, not by none)',
    schedule: {
      ...run,
      pacing: 1,
      events: [{ turn: 2, op: 'logout', target: 0, reattachAfter: 0 }],
      calls: [call({ latencies: [6] }), call({ startTurn: 1 })],
    },
  },
  {
    title:
      'a REST attachment re-attached after the GraphQL ones were detached (never sent a request) is chosen to refresh for the old REST session: the refresh token goes to the REST origin',
    invariant: 'tokens-stay-home',
    foundOn: 'main 18cad02 (npm run test:nightly, run 18,259)',
    schedule: {
      calls: [
        {
          kind: 'query',
          via: 0,
          startTurn: 0,
          latencies: [0],
          abortAfterTurns: 6,
          cancelVia: 'signal',
          timeoutMs: 1,
          throwIn: 'none',
          declines: ['long'],
          authStatus: 200,
          placement: 'request',
          midExpiry: 'none',
        },
        {
          kind: 'rest',
          via: 0,
          startTurn: 0,
          latencies: [2],
          abortAfterTurns: 6,
          cancelVia: 'signal',
          timeoutMs: null,
          throwIn: 'none',
          declines: [],
          authStatus: 200,
          placement: 'request',
          midExpiry: 'second-field',
        },
        {
          kind: 'query',
          via: 0,
          startTurn: 0,
          latencies: [0],
          abortAfterTurns: 6,
          cancelVia: 'signal',
          timeoutMs: null,
          throwIn: 'none',
          declines: [],
          authStatus: 200,
          placement: 'request',
          midExpiry: 'none',
        },
      ],
      events: [
        { turn: 0, op: 'expire', target: 0, reattachAfter: 0 },
        { turn: 1, op: 'detach', target: 2, reattachAfter: 1 },
        { turn: 0, op: 'detach', target: 1, reattachAfter: 0 },
        { turn: 0, op: 'detach', target: 0, reattachAfter: 0 },
      ],
      refreshOutcomes: [],
      refreshLatency: 0,
      rotate: false,
      maxReplays: 1,
      retries: 0,
      pacing: 0,
      withRest: true,
      special: 'long-decline',
    } as Schedule,
  },
  {
    title: 'a long RATE_LIMITED decline under pacing, while the other calls are aborted or throw in an interceptor, leaves timers behind',
    invariant: 'nothing-outlives',
    foundOn: 'main after the pacing merge',
    schedule: {
      ...run,
      calls: [
        call({ kind: 'addNote', startTurn: 5, abortAfterTurns: 0, declines: ['long'] }),
        call({ kind: 'order', startTurn: 5, abortAfterTurns: 6, midExpiry: 'second-field' }),
        call({ kind: 'order', abortAfterTurns: 6, throwIn: 'interceptor', declines: ['graphql'], midExpiry: 'second-field' }),
      ],
      events: [expireAt(0)],
      pacing: 2,
      special: 'long-decline',
    },
  },
];
