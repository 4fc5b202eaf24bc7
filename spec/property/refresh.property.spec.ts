import axios from 'axios';
import fc from 'fast-check';
import {
  attachTokenRefresh,
  createGraphQLClient,
  isGraphQLRequestError,
  isSessionExpiredError,
  isTokenRefreshError,
  MemoryTokenStore,
} from '../../lib';
import { createModelServer, type RefreshOutcome } from './model-server';

// Random schedules against the in-memory model server: concurrency, expiry moments, refresh latency
// and failures, rotation on/off, late answers, aborts, rate-limit declines, and two axios instances
// sharing one token store. PROPERTY_RUNS sets the
// number of runs (CI: the default 1,000; the nightly script: many more).

const RUNS = Number(process.env.PROPERTY_RUNS) || 1_000;
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

const call = fc.record({
  mutation: fc.boolean(),
  /** Which of two axios instances sharing one token store sends it. */
  second: fc.boolean(),
  startTurn: fc.nat(12),
  latencies: fc.array(fc.nat(4), { minLength: 1, maxLength: 6 }),
  abortAfterTurns: fc.option(fc.nat(8), { freq: 4 }),
  declines: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat(3) }),
});

const schedule = fc.record({
  calls: fc.array(call, { minLength: 1, maxLength: 25 }),
  expiryTurns: fc.array(fc.nat(16), { maxLength: 3 }),
  refreshOutcomes: fc.array(
    fc.oneof(
      { weight: 6, arbitrary: fc.constant<RefreshOutcome>('ok') },
      { weight: 1, arbitrary: fc.constant<RefreshOutcome>('http500') },
      { weight: 1, arbitrary: fc.constant<RefreshOutcome>('network') },
      { weight: 1, arbitrary: fc.constant<RefreshOutcome>('reject') },
    ),
    { maxLength: 6 },
  ),
  refreshLatency: fc.nat(5),
  rotate: fc.boolean(),
  authMode: fc.constantFrom<'request' | 'field'>('request', 'field'),
  maxReplays: fc.integer({ min: 1, max: 2 }),
  retries: fc.integer({ min: 0, max: 2 }),
});

type Schedule = typeof schedule extends fc.Arbitrary<infer T> ? T : never;

function typedOutcome(error: unknown): boolean {
  return (
    axios.isCancel(error) ||
    isSessionExpiredError(error) ||
    isTokenRefreshError(error) ||
    (isGraphQLRequestError(error) && ['UNAUTHENTICATED', 'RATE_LIMITED'].includes(error.code))
  );
}

async function run(s: Schedule): Promise<void> {
  const server = createModelServer({
    rotate: s.rotate,
    authMode: s.authMode,
    refreshOutcomes: s.refreshOutcomes,
    refreshLatency: s.refreshLatency,
    latencyOf: (id, attempt) => s.calls[id]!.latencies[(attempt - 1) % s.calls[id]!.latencies.length]!,
    declinesOf: (id) => s.calls[id]!.declines,
  });
  const store = new MemoryTokenStore(server.issue());
  server.watch(store);
  // Two instances, one store: they must share one refresh and each other's new tokens.
  const clients = [0, 1].map(() => {
    const api = axios.create({ baseURL: 'https://api.example.test/', adapter: server.adapter });
    attachTokenRefresh(api, {
      tokens: store,
      rotatingRefreshTokens: s.rotate,
      maxReplays: s.maxReplays,
      retry: { retries: s.retries, retryDelay: () => 0 },
    });
    return createGraphQLClient(api);
  });

  let settled = 0;
  const outcomes: Array<Promise<unknown>> = [];
  const lastTurn = Math.max(0, ...s.calls.map((c) => c.startTurn), ...s.expiryTurns) + 1;
  for (let t = 0; t <= lastTurn; t++) {
    for (let i = 0; i < s.expiryTurns.filter((e) => e === t).length; i++) server.expire();
    s.calls.forEach((c, id) => {
      if (c.startTurn !== t) return;
      const controller = new AbortController();
      if (c.abortAfterTurns !== null) {
        let left = c.abortAfterTurns;
        const tick = () => (left-- <= 0 ? controller.abort() : setImmediate(tick));
        setImmediate(tick);
      }
      const doc = c.mutation ? 'mutation AddNote($id: Int) { addNote(id: $id) { id } }' : 'query Students($id: Int) { students(id: $id) { id } }';
      const client = clients[c.second ? 1 : 0]!;
      const send = c.mutation ? client.mutate : client.query;
      const p = send(doc, { id }, { signal: controller.signal }).then(
        (data) => {
          settled++;
          return data;
        },
        (error) => {
          settled++;
          return Promise.reject(error);
        },
      );
      outcomes.push(p.then(() => 'ok', (e) => e));
    });
    await turn();
  }
  const results = await Promise.all(outcomes);

  // 1. Every request settled, exactly once, with a typed outcome.
  expect(settled).toBe(s.calls.length);
  for (const r of results) if (r !== 'ok') expect(typedOutcome(r) ? 'typed' : r).toBe('typed');
  // 2. One successful refresh per expiry at most; attempts beyond that are failed attempts.
  expect(server.stats.refreshSuccesses).toBeLessThanOrEqual(server.stats.expiries);
  // 3. No request went out with a token older than the newest one known when it was sent.
  expect(server.stats.staleSends).toEqual([]);
  // 4. No mutation executed twice.
  for (const [, count] of server.stats.executions) expect(count).toBe(1);
  // 5. Nothing left pending. A refresh may outlive its callers (one giving up must not cancel it
  //    for the others), so it gets a bounded time to end; then no flight, an open gate.
  const coordinator = Object.getOwnPropertySymbols(store).map((k) => (store as never)[k] as { flight: Promise<unknown> | null; gate: { held: boolean } })[0]!;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise((resolve) => (timer = setTimeout(resolve, 2_000)));
  await Promise.race([coordinator.flight?.catch(() => {}), bound]);
  clearTimeout(timer);
  await new Promise((resolve) => setTimeout(resolve, 5)); // rate-limit pauses of 0 ms end
  expect(coordinator.flight).toBeNull();
  expect(coordinator.gate.held).toBe(false);
}

describe('attachTokenRefresh(instance): properties over random schedules', () => {
  it(`holds every invariant over ${RUNS} random schedules`, async () => {
    await fc.assert(fc.asyncProperty(schedule, run), { numRuns: RUNS, verbose: 1 });
  }, 300_000);
});
