import axios, { type AxiosInstance, type AxiosRequestConfig } from 'axios';
import {
  attachTokenRefresh,
  createGraphQLClient,
  isGraphQLRequestError,
  isSessionExpiredError,
  isTokenRefreshError,
  MemoryTokenStore,
  type TokenRefreshHandle,
} from '../../lib';
import { createModelServer, ORIGINS, parseToken, type ModelServer, type Stage } from './model-server';
import type { Call, Schedule } from './schedule';

// Runs one drawn schedule against the model and returns what the invariants look at. Nothing here
// asserts: refresh.property.spec.ts does.

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
/** Real-time bound for anything that should have ended: far above a run's ~10 ms, far below a hang. */
export const WATCHDOG_MS = 500;
/** `refreshTimeoutMs` in runs whose refresh hangs: requests with a `timeout` must not wait for it. */
export const HANG_DEADLINE_MS = 250;

const DOCS = {
  query: 'query Students($id: Int) { students(id: $id) { id } }',
  addNote: 'mutation AddNote($id: Int) { addNote(id: $id) { id } }',
  order: 'mutation Order($id: Int) { createOrder(id: $id) { id receipt } audit(id: $id) }',
} as const;

export interface Outcome {
  id: number;
  call: Call;
  /** 'ok', or the class of the error; `untyped` with the error itself when it fits no class. */
  kind: string;
  error?: unknown;
  elapsedMs: number;
}

/** What happened during one run. */
export interface Observation {
  server: ModelServer;
  outcomes: Outcome[];
  /** Ids of requests still unsettled when the watchdog fired. */
  hung: number[];
  followUpHung: string[];
  /** Violations of "caller-set tokens are never overwritten by an older flight", seen at turn boundaries and at the end. */
  overwritten: string[];
  /** Ref'd timers left after the last request settled, beyond those present before the run. */
  leftTimers: number;
  refreshStillRunning: boolean;
  /** What the run exercised, for the coverage test. */
  seen: Record<string, number>;
}

const countTimers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

class UserThrow extends Error {}

/** Classifies an outcome; anything not listed is a contract break. */
function classify(error: unknown, c: Call, thrown: Error | undefined): string {
  if (axios.isCancel(error)) return c.abortAfterTurns !== null ? 'canceled' : 'untyped';
  if (axios.isAxiosError(error) && (error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT')) return c.timeoutMs !== null ? 'timeout' : 'untyped';
  if (isSessionExpiredError(error)) return 'session-expired';
  if (isTokenRefreshError(error)) return 'refresh-failed';
  if (isGraphQLRequestError(error) && ['UNAUTHENTICATED', 'RATE_LIMITED'].includes(error.code)) return `graphql:${error.code}`;
  if (thrown && (error === thrown || (error instanceof Error && error.message === thrown.message))) return `user-throw:${c.throwIn}`;
  if (axios.isAxiosError(error) && error.response?.status === 429) return 'http429';
  if (c.kind === 'rest' && axios.isAxiosError(error) && error.response?.status === 401) return 'http401';
  return 'untyped';
}

export async function runSchedule(s: Schedule): Promise<Observation> {
  const seen: Record<string, number> = {};
  const see = (what: string) => (seen[what] = (seen[what] ?? 0) + 1);
  const timersBefore = countTimers();
  const server = createModelServer({
    rotate: s.rotate,
    refreshOutcomes: s.refreshOutcomes,
    refreshLatency: s.refreshLatency,
    plan: (id) => s.calls[id] ?? { latencies: [0], declines: [], authStatus: 200, placement: 'request', midExpiry: 'none' },
  });
  const store = new MemoryTokenStore(server.issue('alice'));
  server.watch(() => store.get());
  const hang = s.refreshOutcomes.includes('hang');

  // Two GraphQL instances and a REST instance on another origin, one store. Each has a user request
  // interceptor registered *before* attaching (it runs after the plugin's) that throws on demand.
  const origins = [ORIGINS.api, ORIGINS.api, ORIGINS.rest];
  const instances: AxiosInstance[] = origins.map((origin) => {
    const api = axios.create({ baseURL: `${origin}/`, adapter: server.adapter as never });
    api.interceptors.request.use((config) => {
      if (config.headers?.['X-Throw'] === 'interceptor') throw new UserThrow('user interceptor threw');
      return config;
    });
    return api;
  });
  const attach = (i: number): TokenRefreshHandle =>
    attachTokenRefresh(instances[i]!, {
      tokens: store,
      rotatingRefreshTokens: s.rotate,
      maxReplays: s.maxReplays,
      retry: { retries: s.retries, retryDelay: () => 0 },
      rateLimit: s.pacing ? { concurrency: s.pacing } : false,
      refreshTimeoutMs: hang ? HANG_DEADLINE_MS : 5_000,
      // The REST attachment has no GraphQL endpoint and no refresh of its own.
    });
  const handles: Array<TokenRefreshHandle | null> = [attach(0), attach(1), s.withRest ? attach(2) : null];
  const first = handles[0]!;
  const clients = [createGraphQLClient(instances[0]!), createGraphQLClient(instances[1]!)];

  // "Tokens set by the caller are never overwritten by an older flight."
  let lastSet: { account: string; serial: number } | null = { account: 'alice', serial: parseToken(store.get()!.accessToken)!.serial };
  const overwritten: string[] = [];
  const checkOwnership = (when: string) => {
    const held = store.get();
    if (lastSet === null) {
      if (held) overwritten.push(`${when}: tokens of ${parseToken(held.accessToken)?.account} stored after a logout`);
      return;
    }
    if (!held) {
      // Only a refresh the API rejected, for this account's tokens, may end this account's session.
      const ended = server.stats.rejected.some((r) => r.account === lastSet!.account && r.serial >= lastSet!.serial);
      if (!ended) overwritten.push(`${when}: ${lastSet.account}'s tokens cleared without a rejected refresh of theirs`);
      return;
    }
    const t = parseToken(held.accessToken);
    if (!t || t.account !== lastSet.account || t.serial < lastSet.serial) {
      overwritten.push(`${when}: ${held.accessToken} stored after setTokens(${lastSet.account}.at.${lastSet.serial})`);
    }
  };

  const outcomes: Outcome[] = [];
  const pending = new Set<number>();
  const promises: Array<Promise<void>> = [];
  const reattachAt = new Map<number, number[]>();

  function send(c: Call, id: number): void {
    const controller = new AbortController();
    if (c.abortAfterTurns !== null) {
      let left = c.abortAfterTurns;
      const tick = () => {
        if (!pending.has(id)) return;
        if (left-- > 0) return void setImmediate(tick);
        const stage: Stage = server.stageOf(id);
        see(`abort:${stage}`);
        controller.abort();
      };
      setImmediate(tick);
    }
    const thrown = c.throwIn === 'transform' ? new UserThrow('user transformRequest threw') : c.throwIn === 'interceptor' ? new UserThrow('user interceptor threw') : undefined;
    const config: AxiosRequestConfig = { signal: controller.signal };
    if (c.timeoutMs !== null) config.timeout = c.timeoutMs;
    if (c.throwIn === 'interceptor') config.headers = { 'X-Throw': 'interceptor' };
    if (c.throwIn === 'transform') {
      config.transformRequest = [
        () => {
          throw thrown;
        },
      ];
    }
    let request: Promise<unknown>;
    if (c.kind === 'rest') request = instances[2]!.get('things', { ...config, params: { id } as Record<string, unknown> });
    else if (c.kind === 'cdn') request = instances[c.via]!.get(`${ORIGINS.cdn}/asset`, { ...config, params: { id } as Record<string, unknown> });
    else request = (c.kind === 'query' ? clients[c.via]!.query : clients[c.via]!.mutate)(DOCS[c.kind], { id }, config);
    const started = Date.now();
    pending.add(id);
    promises.push(
      request.then(
        () => void outcomes.push({ id, call: c, kind: 'ok', elapsedMs: Date.now() - started }),
        (error) => void outcomes.push({ id, call: c, kind: classify(error, c, thrown), error, elapsedMs: Date.now() - started }),
      ).finally(() => pending.delete(id)),
    );
  }

  function act(e: Schedule['events'][number], t: number): void {
    if (e.op === 'expire') return server.expire();
    const handle = handles[0] ?? handles[1] ?? first; // a detached handle still reaches the store
    if (server.refreshesInFlight > 0 && e.op !== 'detach') see('set-mid-refresh');
    if (e.op === 'setOther') {
      const account = lastSet?.account === 'alice' ? 'bob' : 'alice';
      const tokens = server.issue(account);
      lastSet = { account, serial: parseToken(tokens.accessToken)!.serial };
      see('set-other');
      void handle.setTokens(tokens);
      return;
    }
    if (e.op === 'logout') {
      lastSet = null;
      see('logout');
      void handle.setTokens(null);
      return;
    }
    const target = e.target === 2 && !s.withRest ? 1 : e.target;
    if (!handles[target]) return;
    handles[target]!.detach();
    handles[target] = null;
    see('detach');
    reattachAt.set(t + e.reattachAfter, [...(reattachAt.get(t + e.reattachAfter) ?? []), target]);
  }

  const lastTurn = Math.max(0, ...s.calls.map((c) => c.startTurn), ...s.events.map((e) => e.turn + e.reattachAfter)) + 1;
  for (let t = 0; t <= lastTurn; t++) {
    checkOwnership(`turn ${t}`);
    for (const target of reattachAt.get(t) ?? []) {
      handles[target] = attach(target);
      see('reattach');
    }
    for (const e of s.events) if (e.turn === t) act(e, t);
    s.calls.forEach((c, id) => c.startTurn === t && send(c, id));
    await turn();
  }
  for (const [at, targets] of reattachAt) if (at > lastTurn) for (const target of targets) handles[target] = attach(target);

  let timer: ReturnType<typeof setTimeout> | undefined;
  const watchdog = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), WATCHDOG_MS + (hang ? HANG_DEADLINE_MS * 4 : 0))));
  await Promise.race([Promise.all(promises), watchdog]);
  const hung = [...pending];

  // A refresh may outlive its callers (one giving up must not cancel it for the others): let it end.
  for (let i = 0; server.refreshesInFlight > 0 && i < 10_000; i++) await Promise.race([turn(), watchdog]);
  const refreshStillRunning = server.refreshesInFlight > 0;
  checkOwnership('end');

  // Pacing slots: a follow-up request through every attachment completes (with `concurrency: 1`, a
  // leaked slot would hold it forever). Skipped while a 20 s rate-limit pause legitimately holds requests.
  const followUpHung: string[] = [];
  if (s.special !== 'long-decline' && hung.length === 0) {
    const followUps: Array<[string, Promise<unknown>]> = [
      ['graphql 0', clients[0]!.query(DOCS.query, { id: -1 })],
      ['graphql 1', clients[1]!.query(DOCS.query, { id: -2 })],
    ];
    if (s.withRest) followUps.push(['rest', instances[2]!.get('things', { params: { id: -3 } })]);
    const done = new Set<string>();
    await Promise.race([Promise.all(followUps.map(([name, p]) => p.catch(() => {}).then(() => done.add(name)))), watchdog]);
    for (const [name] of followUps) if (!done.has(name)) followUpHung.push(name);
  }
  clearTimeout(timer);

  // Timers: nothing of the library's may keep the process alive once nothing is pending. Zero-delay
  // pauses (Retry-After: 0) are given a few milliseconds to run out.
  let leftTimers = countTimers() - timersBefore;
  for (let i = 0; leftTimers > 0 && i < 5; i++) {
    await new Promise((resolve) => setTimeout(resolve, 2));
    leftTimers = countTimers() - timersBefore;
  }

  for (const o of outcomes) see(`outcome:${o.kind}`);
  if (s.pacing) see(`pacing:${s.pacing}`);
  if (s.withRest) see('rest-attachment');
  if (hang) see('hang');
  for (const c of s.calls) if (c.kind === 'cdn') see('cdn');
  return { server, outcomes, hung, followUpHung, overwritten, leftTimers, refreshStillRunning, seen };
}
