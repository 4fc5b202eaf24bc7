import axios, { type AxiosInstance, type AxiosRequestConfig } from 'axios';
import {
  attachTokenRefresh,
  createGraphQLClient,
  type GraphQLClient,
  isGraphQLRequestError,
  isSessionExpiredError,
  isTokenRefreshError,
  MemoryTokenStore,
  type TokenRefreshHandle,
} from '../../lib';
import { createModelServer, type ModelServer, ORIGINS, parseToken } from './model-server';
import type { Call, Schedule, ScheduleEvent } from './schedule';
import { type StallClock, startStallClock } from './stall-clock';
import { type TimerWatch, watchTimers } from './timer-watch';

// Runs one drawn schedule against the model and returns what the invariants look at. Nothing here
// asserts: invariants.ts does.

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
/** Real-time bound for anything that should have ended: ~100x a run on an idle machine, ~10x on one with load 20. */
export const WATCHDOG_MS = 2_000;
/** `refreshTimeoutMs` in runs whose refresh hangs: requests with a `timeout` must not wait for it. */
export const HANG_DEADLINE_MS = 100;
/** Added to a request's timeout for its marker timer, and turns allowed after it to settle (see `send`). */
const TIMER_MARGIN_MS = 2;
const SETTLE_TURNS = 10;

const DOCS = {
  query: 'query Students($id: Int) { students(id: $id) { id } }',
  addNote: 'mutation AddNote($id: Int) { addNote(id: $id) { id } }',
  order: 'mutation Order($id: Int) { createOrder(id: $id) { id receipt } audit(id: $id) }',
} as const;

export interface Outcome {
  id: number;
  call: Call;
  /** 'ok', or the class of the error; `untyped` (with the error itself) when it fits no class. */
  kind: string;
  error?: unknown;
  /** Epoch ms when the caller sent it, and how long it took to settle. */
  startedAt: number;
  elapsedMs: number;
}

/** What happened during one run. */
export interface Observation {
  server: ModelServer;
  outcomes: Outcome[];
  /** Ids of requests still unsettled when the watchdog fired. */
  hung: number[];
  followUpHung: string[];
  /** Breaks of "caller-set tokens are never overwritten by an older flight", seen at turn boundaries and at the end. */
  overwritten: string[];
  /** Requests held during a refresh that failed transiently, then sent with the token it was replacing. */
  heldWithDeadToken: string[];
  /** Timed requests still pending several turns after their own timeout ran out. */
  timeoutOverruns: string[];
  /** Ref'd timers created during the run and still pending after the last request settled. */
  leftTimers: number;
  refreshStillRunning: boolean;
  /** What the run exercised, for the coverage test. */
  seen: Record<string, number>;
}

class UserThrow extends Error {}

/** Classifies an outcome; anything not listed is a contract break. */
function classify(error: unknown, c: Call, thrown: Error | undefined): string {
  if (axios.isCancel(error)) return c.abortAfterTurns !== null ? 'canceled' : 'untyped';
  if (axios.isAxiosError(error) && (error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT'))
    return c.timeoutMs !== null ? 'timeout' : 'untyped';
  if (isSessionExpiredError(error)) return 'session-expired';
  if (isTokenRefreshError(error)) return 'refresh-failed';
  if (isGraphQLRequestError(error) && ['UNAUTHENTICATED', 'RATE_LIMITED'].includes(error.code)) return `graphql:${error.code}`;
  if (thrown && (error === thrown || (error instanceof Error && error.message === thrown.message))) return `user-throw:${c.throwIn}`;
  if (axios.isAxiosError(error) && error.response?.status === 429) return 'http429';
  if (c.kind === 'rest' && axios.isAxiosError(error) && error.response?.status === 401) return 'http401';
  return 'untyped';
}

/** The state of one run, shared by the functions below. */
interface Run {
  s: Schedule;
  server: ModelServer;
  store: MemoryTokenStore;
  hang: boolean;
  instances: AxiosInstance[];
  clients: GraphQLClient[];
  handles: Array<TokenRefreshHandle | null>;
  first: TokenRefreshHandle;
  attach(i: number): TokenRefreshHandle;
  reattachAt: Map<number, number[]>;
  /** The last tokens the caller set (`null`: logged out). */
  lastSet: { account: string; serial: number } | null;
  overwritten: string[];
  outcomes: Outcome[];
  pending: Set<number>;
  sent: Set<number>;
  promises: Array<Promise<void>>;
  /** The refresh attempt in flight: the token it replaces, and the requests started (so held) meanwhile. */
  flight: { dead?: string; held: Set<number> } | null;
  timeoutOverruns: string[];
  /** Requests that must not be sent with the given token (it failed to refresh while they were held). */
  poisoned: Map<number, string>;
  heldWithDeadToken: string[];
  seen: Record<string, number>;
  see(what: string): void;
  /** Time the process stood still (stall-clock.ts), granted to timed requests on top of their timeout. */
  stalls: StallClock;
}

function createRun(s: Schedule, stalls: StallClock): Run {
  const seen: Record<string, number> = {};
  // Item 5 is tracked when a flight is one attempt (no refresh retries) and without pacing (a request
  // waiting for a slot is not held by the flight).
  const trackHeld = (s.retries === 0 || s.rotate) && !s.pacing;
  const run = {
    s,
    seen,
    see: (what: string) => void (seen[what] = (seen[what] ?? 0) + 1),
    hang: s.refreshOutcomes.includes('hang'),
    reattachAt: new Map(),
    overwritten: [],
    outcomes: [],
    pending: new Set(),
    sent: new Set(),
    promises: [],
    flight: null,
    timeoutOverruns: [],
    poisoned: new Map(),
    heldWithDeadToken: [],
    stalls,
  } as unknown as Run;
  run.server = createModelServer({
    rotate: s.rotate,
    refreshOutcomes: s.refreshOutcomes,
    refreshLatency: s.refreshLatency,
    plan: (id) => s.calls[id] ?? { latencies: [0], declines: [], authStatus: 200, placement: 'request', midExpiry: 'none' },
    onRefresh(event) {
      if (event === 'start') run.flight = { dead: run.store.get()?.accessToken, held: new Set() };
      if (event === 'transient' && run.flight?.dead && trackHeld) {
        for (const id of run.flight.held) if (run.pending.has(id) && !run.sent.has(id)) run.poisoned.set(id, run.flight.dead);
      }
      if (event !== 'start') run.flight = null;
    },
    onSend(id, token) {
      run.sent.add(id);
      if (token && run.poisoned.get(id) === token && run.store.get()?.accessToken === token) {
        run.heldWithDeadToken.push(
          `request ${id} was held during a refresh that failed, then sent with the token that refresh was replacing`,
        );
      }
    },
  });
  run.store = new MemoryTokenStore(run.server.issue('alice'));
  run.server.watch(() => run.store.get());
  run.lastSet = { account: 'alice', serial: parseToken(run.store.get()!.accessToken)!.serial };

  // Two GraphQL instances and a REST instance on another origin, one store. Each has a user request
  // interceptor registered *before* attaching (so it runs after the plugin's) that throws on demand.
  run.instances = [ORIGINS.api, ORIGINS.api, ORIGINS.rest].map((origin) => {
    const api = axios.create({ baseURL: `${origin}/`, adapter: run.server.adapter as never });
    api.interceptors.request.use((config) => {
      if (config.headers?.['X-Throw'] === 'interceptor') throw new UserThrow('user interceptor threw');
      return config;
    });
    return api;
  });
  // The REST attachment (index 2) has no GraphQL endpoint and no refresh of its own: same options.
  run.attach = (i) =>
    attachTokenRefresh(run.instances[i]!, {
      tokens: run.store,
      rotatingRefreshTokens: s.rotate,
      maxReplays: s.maxReplays,
      retry: { retries: s.retries, retryDelay: () => 0 },
      rateLimit: s.pacing ? { concurrency: s.pacing } : false,
      refreshTimeoutMs: run.hang ? HANG_DEADLINE_MS : 5_000,
    });
  run.handles = [run.attach(0), run.attach(1), s.withRest ? run.attach(2) : null];
  run.first = run.handles[0]!;
  run.clients = [createGraphQLClient(run.instances[0]!), createGraphQLClient(run.instances[1]!)];
  return run;
}

/** "Tokens set by the caller are never overwritten by an older flight": checked at every turn boundary. */
function checkOwnership(run: Run, when: string): void {
  const held = run.store.get();
  const last = run.lastSet;
  if (last === null) {
    if (held) run.overwritten.push(`${when}: tokens of ${parseToken(held.accessToken)?.account} stored after a logout`);
    return;
  }
  if (!held) {
    // Only a refresh the API rejected, for this account's tokens, may end this account's session.
    const ended = run.server.stats.rejected.some((r) => r.account === last.account && r.serial >= last.serial);
    if (!ended) run.overwritten.push(`${when}: ${last.account}'s tokens cleared without a rejected refresh of theirs`);
    return;
  }
  const t = parseToken(held.accessToken);
  if (!t || t.account !== last.account || t.serial < last.serial) {
    run.overwritten.push(`${when}: ${held.accessToken} stored after setTokens(${last.account}.at.${last.serial})`);
  }
}

/** Aborts request `id` (signal or CancelToken) after `turns` turns, noting the stage it was in. */
function scheduleAbort(run: Run, id: number, turns: number, abort: () => void): void {
  let left = turns;
  const tick = () => {
    if (!run.pending.has(id)) return;
    if (left-- > 0) return void setImmediate(tick);
    run.see(`abort:${run.server.stageOf(id)}`);
    abort();
  };
  setImmediate(tick);
}

/**
 * Item 8: a request's own `timeout` bounds it wherever it waits. A marker timer of the same duration
 * plus a margin is armed when the caller sends, before any timer of the plugin's or the adapter's for
 * this request; when it fires the request's own timeout has run out, and a few turns later it must
 * have settled. Judged by timer order and turns, not by wall time — except for the time the process
 * stood still since the caller sent (stall-clock.ts): a timer armed after a stall is due that much
 * later, through no fault of the plugin's, so that time is granted on top, as often as stalls recur.
 * Returns the function that stops watching (the request settled).
 */
function watchTimeout(run: Run, id: number, timeoutMs: number): () => void {
  const since = run.stalls.stalledMs();
  let granted = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const ranOut = () => {
    let left = SETTLE_TURNS;
    const check = () => {
      if (!run.pending.has(id)) return;
      if (left-- > 0) return void setImmediate(check);
      const owed = run.stalls.stalledMs() - since - granted;
      if (owed >= 1) {
        granted += owed;
        timer = setTimeout(ranOut, Math.ceil(owed));
        return;
      }
      const stalls = granted > 0 ? ` (and ${Math.round(granted)} ms the process stood still)` : '';
      run.timeoutOverruns.push(
        `request ${id} (timeout ${timeoutMs} ms) still pending ${SETTLE_TURNS} turns after its timeout ran out${stalls}`,
      );
    };
    check();
  };
  timer = setTimeout(ranOut, timeoutMs + TIMER_MARGIN_MS);
  return () => clearTimeout(timer);
}

function send(run: Run, c: Call, id: number): void {
  const controller = new AbortController();
  const source = c.cancelVia === 'cancelToken' ? axios.CancelToken.source() : undefined;
  if (c.abortAfterTurns !== null) scheduleAbort(run, id, c.abortAfterTurns, () => (source ? source.cancel() : controller.abort()));
  const thrown =
    c.throwIn === 'none' ? undefined : new UserThrow(c.throwIn === 'transform' ? 'user transformRequest threw' : 'user interceptor threw');
  const config: AxiosRequestConfig = source ? { cancelToken: source.token } : { signal: controller.signal };
  if (c.timeoutMs !== null) config.timeout = c.timeoutMs;
  if (c.throwIn === 'interceptor') config.headers = { 'X-Throw': 'interceptor' };
  if (c.throwIn === 'transform') {
    config.transformRequest = [
      () => {
        throw thrown;
      },
    ];
  }
  const params = { id } as Record<string, unknown>;
  let request: Promise<unknown>;
  if (c.kind === 'rest') request = run.instances[2]!.get('things', { ...config, params });
  else if (c.kind === 'cdn') request = run.instances[c.via]!.get(`${ORIGINS.cdn}/asset`, { ...config, params });
  else request = (c.kind === 'query' ? run.clients[c.via]!.query : run.clients[c.via]!.mutate)(DOCS[c.kind], { id }, config);
  const started = Date.now();
  run.pending.add(id);
  if (run.flight && c.kind !== 'cdn') run.flight.held.add(id);
  if (c.timeoutMs !== null && run.flight) run.see('timed-request-during-refresh');
  const unwatch = c.timeoutMs === null ? undefined : watchTimeout(run, id, c.timeoutMs);
  const done = (kind: string, error?: unknown) => {
    unwatch?.();
    if (kind === 'timeout') run.see(`timeout:${run.server.timeoutStageOf(id)}`);
    run.outcomes.push({ id, call: c, kind, error, startedAt: started, elapsedMs: Date.now() - started });
  };
  run.promises.push(
    request
      .then(
        () => done('ok'),
        (error) => done(classify(error, c, thrown), error),
      )
      .finally(() => run.pending.delete(id)),
  );
}

/** The caller's own actions: expiry (the server's), setTokens of another account, logout, detach. */
function act(run: Run, e: ScheduleEvent, t: number): void {
  if (e.op === 'expire') {
    run.server.expire();
    return;
  }
  const handle = run.handles[0] ?? run.handles[1] ?? run.first; // a detached handle still reaches the store
  if (run.server.refreshesInFlight > 0 && e.op !== 'detach') run.see('set-mid-refresh');
  if (e.op === 'setOther') {
    const account = run.lastSet?.account === 'alice' ? 'bob' : 'alice';
    const tokens = run.server.issue(account);
    run.lastSet = { account, serial: parseToken(tokens.accessToken)!.serial };
    run.see('set-other');
    void handle.setTokens(tokens);
    return;
  }
  if (e.op === 'logout') {
    run.lastSet = null;
    run.see('logout');
    void handle.setTokens(null);
    return;
  }
  const target = e.target === 2 && !run.s.withRest ? 1 : e.target;
  if (!run.handles[target]) return;
  run.handles[target]!.detach();
  run.handles[target] = null;
  run.see('detach');
  const at = t + e.reattachAfter;
  run.reattachAt.set(at, [...(run.reattachAt.get(at) ?? []), target]);
}

async function play(run: Run): Promise<void> {
  const { s } = run;
  const lastTurn = Math.max(0, ...s.calls.map((c) => c.startTurn), ...s.events.map((e) => e.turn + e.reattachAfter)) + 1;
  for (let t = 0; t <= lastTurn; t++) {
    checkOwnership(run, `turn ${t}`);
    for (const target of run.reattachAt.get(t) ?? []) {
      run.handles[target] = run.attach(target);
      run.see('reattach');
    }
    for (const e of s.events) if (e.turn === t) act(run, e, t);
    s.calls.forEach((c, id) => c.startTurn === t && send(run, c, id));
    await turn();
  }
}

/** Waits for every request (bounded), lets a refresh end, sends follow-ups, counts leftover timers. */
async function settle(run: Run, timers: TimerWatch): Promise<Observation> {
  const { s, server } = run;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const watchdog = new Promise<'hung'>(
    (resolve) => (timer = setTimeout(() => resolve('hung'), WATCHDOG_MS + (run.hang ? HANG_DEADLINE_MS * 4 : 0))),
  );
  await Promise.race([Promise.all(run.promises), watchdog]);
  const hung = [...run.pending];

  // A refresh may outlive its callers (one giving up must not cancel it for the others): let it end.
  await Promise.race([server.refreshesIdle(), watchdog]);
  const refreshStillRunning = server.refreshesInFlight > 0;
  checkOwnership(run, 'end');

  // Pacing slots: a follow-up request through every attachment completes (with `concurrency: 1`, a
  // leaked slot would hold it forever). Skipped while a 20 s rate-limit pause legitimately holds requests.
  const followUpHung: string[] = [];
  if (s.special !== 'long-decline' && hung.length === 0) {
    const followUps: Array<[string, Promise<unknown>]> = [
      ['graphql 0', run.clients[0]!.query(DOCS.query, { id: -1 })],
      ['graphql 1', run.clients[1]!.query(DOCS.query, { id: -2 })],
    ];
    if (s.withRest) followUps.push(['rest', run.instances[2]!.get('things', { params: { id: -3 } as Record<string, unknown> })]);
    const done = new Set<string>();
    await Promise.race([Promise.all(followUps.map(([name, p]) => p.catch(() => {}).then(() => done.add(name)))), watchdog]);
    for (const [name] of followUps) if (!done.has(name)) followUpHung.push(name);
  }
  clearTimeout(timer);

  // Timers: nothing of the library's may keep the process alive once nothing is pending. Zero-delay
  // pauses (Retry-After: 0) are given a few milliseconds to run out.
  let leftTimers = timers.pending();
  for (let i = 0; leftTimers > 0 && i < 5; i++) {
    await new Promise((resolve) => setTimeout(resolve, 2));
    leftTimers = timers.pending();
  }

  for (const o of run.outcomes) run.see(`outcome:${o.kind}`);
  if (s.pacing) run.see(`pacing:${s.pacing}`);
  if (s.withRest) run.see('rest-attachment');
  if (run.hang) run.see('hang');
  if (run.poisoned.size) run.see('held-during-failed-refresh');
  for (const c of s.calls) if (c.kind === 'cdn') run.see('cdn');
  const { outcomes, overwritten, heldWithDeadToken, timeoutOverruns, seen } = run;
  return { server, outcomes, hung, followUpHung, overwritten, heldWithDeadToken, timeoutOverruns, leftTimers, refreshStillRunning, seen };
}

export async function runSchedule(s: Schedule): Promise<Observation> {
  const stalls = startStallClock();
  const timers = watchTimers();
  try {
    const run = createRun(s, stalls);
    await play(run);
    return await settle(run, timers);
  } finally {
    timers.stop();
    stalls.stop();
  }
}
