import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { TokenSet } from '../../lib';
import { axiosError, canceledError } from '../support/axios-errors';

// An in-memory model of the APIs one session talks to, as one axios adapter for every instance:
// - the GraphQL API (ORIGINS.api) issues access and refresh tokens per account and runs queries,
//   one-field and two-field mutations;
// - a REST API on another origin (ORIGINS.rest) accepts the same access tokens and answers 401;
//   it has no refresh endpoint (a refresh posted there is a leak, answered 401);
// - a foreign origin (ORIGINS.cdn) must never receive a token.
// Time is counted in event-loop turns (setImmediate), so a run is fast and its schedule is what
// fast-check drew. Auth is checked when the answer is produced, after the latency: answers can be late.
// The model records everything an invariant needs: executions per root field, every token seen per
// origin, stale sends, refresh attempts and verdicts, and what is in flight when a caller gives up.
// Not the suites' HTTP test server (spec/support/graphql-server.ts): a property run draws thousands
// of schedules, each timed in event-loop turns so that it runs as fast-check drew it; sockets would
// make every run slow and its timing the machine's.

export const ORIGINS = { api: 'https://api.example.test', rest: 'https://rest.example.test', cdn: 'https://cdn.example.test' } as const;

export type RefreshOutcome = 'ok' | 'http500' | 'network' | 'reject' | 'hang';
/** How a data request is declined on one attempt: RATE_LIMITED at 200, HTTP 429, or RATE_LIMITED asking for 20 s. */
export type Decline = 'graphql' | 'http429' | 'long';
/** An auth error that happens while a valid token is used: a nested field, or the second root field. */
export type MidExpiry = 'none' | 'nested' | 'second-field';

/** What the server does with one logical request (identified by `variables.id` or `params.id`). */
export interface CallPlan {
  latencies: number[];
  declines: Decline[];
  authStatus: 200 | 401;
  /** Where an expired token's error sits: no `path` (request level) or at each root field. */
  placement: 'request' | 'root';
  midExpiry: MidExpiry;
}

export interface ModelOptions {
  rotate: boolean;
  refreshOutcomes: RefreshOutcome[];
  refreshLatency: number;
  plan(id: number): CallPlan;
  /** Told when a refresh attempt reaches the API and when it ends ('transient': 5xx, network, deadline). */
  onRefresh?(event: 'start' | 'ok' | 'transient' | 'rejected'): void;
  /** Told of every data request the API or the REST API receives, with the access token it carries. */
  onSend?(id: number, token: string | undefined): void;
}

/** Where a request stands when its caller gives up. */
export type Stage = 'held' | 'awaiting-replay' | 'in-flight' | 'replay' | 'idle';

export interface ModelStats {
  expiries: number;
  refreshAttempts: number;
  refreshSuccesses: number;
  /** `${account}:${serial}` of every refresh token the API rejected. */
  rejected: Array<{ account: string; serial: number }>;
  /** `${id}:${field}` → times that root field executed. */
  executions: Map<string, number>;
  staleSends: string[];
  leaks: string[];
  authAnswers: { 200: number; 401: number; request: number; root: number; nested: number; secondField: number; rest: number };
  declines: { graphql: number; http429: number; long: number };
}

export interface ModelServer {
  adapter: (config: InternalAxiosRequestConfig) => Promise<AxiosResponse>;
  /** The API invalidates every access token issued so far. */
  expire(): void;
  /** Tokens as a login of `account` would give them. */
  issue(account: string): { accessToken: string; refreshToken: string };
  /** The store whose access token is "the newest known" when a request is sent. */
  watch(read: () => TokenSet | null): void;
  stageOf(id: number): Stage;
  /** Where request `id` was when its own `timeout` ended it: sent (in flight or replay) or never answered by the model's clock. */
  timeoutStageOf(id: number): Stage;
  readonly refreshesInFlight: number;
  /** Resolves once no refresh attempt is in flight. */
  refreshesIdle(): Promise<void>;
  readonly stats: ModelStats;
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** `alice.at.7` → { account: 'alice', kind: 'at', serial: 7 }. */
export function parseToken(token: string | undefined): { account: string; kind: string; serial: number } | undefined {
  const m = /^(\w+)\.(at|rt)\.(\d+)$/.exec(token ?? '');
  return m ? { account: m[1]!, kind: m[2]!, serial: Number(m[3]) } : undefined;
}

const ROOT_FIELDS: Record<string, string[]> = { Students: ['students'], AddNote: ['addNote'], Order: ['createOrder', 'audit'] };
const AUTH_ERROR = { message: 'Authentication required', extensions: { code: 'UNAUTHENTICATED' } };

function urlOf(config: InternalAxiosRequestConfig): URL {
  const url = config.url ?? '';
  return /^https?:/.test(url) ? new URL(url) : new URL(url.replace(/^\/+/, ''), config.baseURL);
}

function headerText(config: InternalAxiosRequestConfig): string {
  const h = config.headers as unknown as { toJSON?: () => object } | undefined;
  return JSON.stringify(typeof h?.toJSON === 'function' ? h.toJSON() : (h ?? {}));
}

function bearer(config: InternalAxiosRequestConfig): string | undefined {
  const h = config.headers as unknown as { get?: (k: string) => unknown } & Record<string, unknown>;
  const value = (typeof h?.get === 'function' ? h.get('Authorization') : undefined) ?? h?.Authorization ?? h?.authorization;
  return typeof value === 'string' ? value.replace(/^Bearer\s+/i, '') || undefined : undefined;
}

export function createModelServer(options: ModelOptions): ModelServer {
  let serial = 0;
  let epoch = 0;
  const access = new Map<string, number>(); // access token → epoch issued in
  const refreshTokens = new Map<string, boolean>(); // refresh token → still valid
  const attempts = new Map<number, number>();
  const inFlight = new Map<number, number>(); // id → attempt now in flight
  const timedOut = new Map<number, number>(); // id → attempt the model's adapter timed out
  let refreshesInFlight = 0;
  const idleWaiters: Array<() => void> = [];
  let read: () => TokenSet | null = () => null;
  const stats: ModelStats = {
    expiries: 0,
    refreshAttempts: 0,
    refreshSuccesses: 0,
    rejected: [],
    executions: new Map(),
    staleSends: [],
    leaks: [],
    authAnswers: { 200: 0, 401: 0, request: 0, root: 0, nested: 0, secondField: 0, rest: 0 },
    declines: { graphql: 0, http429: 0, long: 0 },
  };

  function issue(account: string) {
    const accessToken = `${account}.at.${++serial}`;
    const refreshToken = `${account}.rt.${++serial}`;
    access.set(accessToken, epoch);
    refreshTokens.set(refreshToken, true);
    return { accessToken, refreshToken };
  }

  const respond = (
    config: InternalAxiosRequestConfig,
    status: number,
    data: unknown,
    headers: Record<string, string> = {},
  ): AxiosResponse => {
    // Plain headers and string codes: the same model runs under axios 0.27 and 1.x.
    const response = { data, status, statusText: String(status), headers, config, request: {} } as AxiosResponse;
    const valid = config.validateStatus ? config.validateStatus(status) : status >= 200 && status < 300;
    if (!valid)
      throw axiosError(
        `Request failed with status code ${status}`,
        status >= 500 ? 'ERR_BAD_RESPONSE' : 'ERR_BAD_REQUEST',
        config,
        {},
        response,
      );
    return response;
  };

  /** `turns` turns of latency; the caller's signal and `timeout` (ms, as axios' own adapters) apply meanwhile. */
  async function wait(config: InternalAxiosRequestConfig, turns: number, started: number): Promise<void> {
    for (let i = 0; ; i++) {
      if (config.signal?.aborted) throw canceledError(config);
      // As axios' http adapter: a cancelled CancelToken rejects with its own reason (made without a config).
      const reason = (config.cancelToken as { reason?: unknown } | undefined)?.reason;
      if (reason) throw reason;
      if (config.timeout && Date.now() - started >= config.timeout) {
        throw axiosError(`timeout of ${config.timeout}ms exceeded`, 'ECONNABORTED', config, {});
      }
      if (i >= turns) return;
      await turn();
    }
  }

  /** A refresh that never answers: only its own signal or timeout ends it. */
  function hang(config: InternalAxiosRequestConfig): Promise<never> {
    return new Promise((_, reject) => {
      const signal = config.signal as AbortSignal | undefined;
      const end = (error: unknown) => {
        clearTimeout(timer);
        signal?.removeEventListener?.('abort', onAbort);
        reject(error);
      };
      const onAbort = () => end(canceledError(config));
      const timer = setTimeout(() => end(axiosError('timeout exceeded', 'ECONNABORTED', config, {})), config.timeout || 60_000);
      signal?.addEventListener?.('abort', onAbort, { once: true });
    });
  }

  /** Tokens go only where they belong: access tokens to the API and the REST API, refresh tokens only to the API's refresh mutation. */
  function checkLeaks(config: InternalAxiosRequestConfig, origin: string, body: string, token: string | undefined): void {
    const headers = headerText(config);
    if (/\.rt\.\d+/.test(headers)) stats.leaks.push(`a refresh token in the headers of a request to ${origin}`);
    if (/\.rt\.\d+/.test(body) && origin !== ORIGINS.api) stats.leaks.push(`a refresh token in the body of a request to ${origin}`);
    if (token && origin === ORIGINS.cdn) stats.leaks.push(`an access token sent to ${origin}`);
    if (token && !access.has(token)) stats.leaks.push(`a token the API never issued as an access token sent to ${origin}`);
  }

  function checkStale(token: string | undefined, what: string): void {
    const known = read()?.accessToken;
    if (token && token !== known) stats.staleSends.push(`${what} sent with ${token} while ${known ?? 'nothing'} was stored`);
  }

  async function refreshAnswer(
    config: InternalAxiosRequestConfig,
    body: { variables?: Record<string, unknown> },
    started: number,
  ): Promise<AxiosResponse> {
    stats.refreshAttempts++;
    const outcome = options.refreshOutcomes[stats.refreshAttempts - 1] ?? 'ok';
    refreshesInFlight++;
    options.onRefresh?.('start');
    try {
      if (outcome === 'hang') await hang(config);
      await wait(config, options.refreshLatency, started);
    } catch (error) {
      options.onRefresh?.('transient');
      throw error;
    } finally {
      refreshesInFlight--;
      if (refreshesInFlight === 0) for (const resolve of idleWaiters.splice(0)) resolve();
    }
    if (outcome === 'network' || outcome === 'http500') options.onRefresh?.('transient');
    if (outcome === 'network') throw axiosError('socket hang up', 'ECONNRESET', config, {});
    if (outcome === 'http500') return respond(config, 500, '<html>Internal error</html>');
    const given = String(body.variables?.refreshToken);
    if (outcome === 'reject' || !refreshTokens.get(given)) {
      const t = parseToken(given);
      if (t) stats.rejected.push({ account: t.account, serial: t.serial });
      options.onRefresh?.('rejected');
      return respond(config, 200, { data: { refreshToken: null }, errors: [{ message: 'Invalid or expired refresh token' }] });
    }
    options.onRefresh?.('ok');
    stats.refreshSuccesses++;
    const fresh = issue(parseToken(given)!.account);
    if (options.rotate) refreshTokens.set(given, false);
    else refreshTokens.delete(fresh.refreshToken);
    return respond(config, 200, {
      data: {
        refreshToken: { accessToken: fresh.accessToken, expiresIn: 900, ...(options.rotate ? { refreshToken: fresh.refreshToken } : {}) },
      },
    });
  }

  const exec = (id: number, field: string) => stats.executions.set(`${id}:${field}`, (stats.executions.get(`${id}:${field}`) ?? 0) + 1);
  const valid = (token: string | undefined) => !!token && access.get(token) === epoch;

  /** Sends one attempt of a logical request through its latency and declines; resolves to the decline answer, if any. */
  async function attempt(
    config: InternalAxiosRequestConfig,
    id: number,
    started: number,
  ): Promise<{ plan: CallPlan; n: number; declined?: AxiosResponse }> {
    const plan = options.plan(id);
    options.onSend?.(id, bearer(config));
    const n = (attempts.get(id) ?? 0) + 1;
    attempts.set(id, n);
    inFlight.set(id, n);
    try {
      await wait(config, plan.latencies[(n - 1) % plan.latencies.length]!, started);
    } catch (error) {
      if ((error as { code?: string }).code === 'ECONNABORTED') timedOut.set(id, n);
      throw error;
    } finally {
      inFlight.delete(id);
    }
    const decline = plan.declines[n - 1];
    if (!decline) return { plan, n };
    stats.declines[decline]++;
    if (decline === 'http429') return { plan, n, declined: respond(config, 429, 'Too Many Requests', { 'retry-after': '0' }) };
    const retryAfter = decline === 'long' ? 20 : 0;
    return {
      plan,
      n,
      declined: respond(config, 200, {
        errors: [{ message: 'Too many requests. Please slow down.', extensions: { code: 'RATE_LIMITED', retryAfter } }],
      }),
    };
  }

  async function restAnswer(config: InternalAxiosRequestConfig, token: string | undefined, started: number): Promise<AxiosResponse> {
    const { declined } = await attempt(config, Number((config.params as { id?: unknown })?.id), started);
    if (declined) return declined;
    if (!valid(token)) {
      stats.authAnswers.rest++;
      return respond(config, 401, { message: 'Unauthorized' });
    }
    return respond(config, 200, { things: [] });
  }

  async function graphqlAnswer(
    config: InternalAxiosRequestConfig,
    body: { variables?: Record<string, unknown>; operationName?: string },
    token: string | undefined,
    started: number,
  ) {
    const id = Number(body.variables?.id);
    const fields = ROOT_FIELDS[body.operationName ?? ''] ?? ['students'];
    const mutation = body.operationName !== 'Students';
    const { plan, n, declined } = await attempt(config, id, started);
    if (declined) return declined;
    const status = plan.authStatus;
    if (!valid(token)) {
      stats.authAnswers[status]++;
      stats.authAnswers[plan.placement]++;
      if (plan.placement === 'request') return respond(config, status, { errors: [AUTH_ERROR] });
      return respond(config, status, {
        data: mutation ? null : { students: null },
        errors: fields.map((f) => ({ ...AUTH_ERROR, path: [f] })),
      });
    }
    if (mutation && n === 1 && plan.midExpiry === 'nested') {
      // The token expires while the first root field runs; its nested `receipt` resolver fails.
      exec(id, fields[0]!);
      epoch++;
      stats.expiries++;
      stats.authAnswers.nested++;
      stats.authAnswers[status]++;
      return respond(config, status, { data: null, errors: [{ ...AUTH_ERROR, path: [fields[0]!, 'receipt'] }] });
    }
    if (mutation && n === 1 && plan.midExpiry === 'second-field' && fields.length === 2) {
      // The first root field ran; the token expired before the second.
      exec(id, fields[0]!);
      epoch++;
      stats.expiries++;
      stats.authAnswers.secondField++;
      stats.authAnswers[status]++;
      return respond(config, status, { data: null, errors: [{ ...AUTH_ERROR, path: [fields[1]!] }] });
    }
    if (mutation) for (const f of fields) exec(id, f);
    return respond(config, 200, { data: Object.fromEntries(fields.map((f) => [f, mutation ? { id } : [{ id }]])) });
  }

  /**
   * As axios' own adapters: `config.timeout` (ms) is a timer armed when the adapter is called, so it
   * fires in order with other timers whatever the load (the runner's timeout markers rely on that).
   */
  function adapter(config: InternalAxiosRequestConfig): Promise<AxiosResponse> {
    const work = serve(config);
    if (!config.timeout) return work;
    work.catch(() => {}); // the server goes on after the client gave up; its late failure is nobody's
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const id = idOf(config);
        const n = inFlight.get(id);
        if (n !== undefined) timedOut.set(id, n);
        reject(axiosError(`timeout of ${config.timeout}ms exceeded`, 'ECONNABORTED', config, {}));
      }, config.timeout);
      work.then(resolve, reject).finally(() => clearTimeout(timer));
    });
  }

  function idOf(config: InternalAxiosRequestConfig): number {
    if (urlOf(config).origin === ORIGINS.rest) return Number((config.params as { id?: unknown })?.id);
    try {
      return Number((JSON.parse(String(config.data ?? '{}')) as { variables?: { id?: unknown } }).variables?.id);
    } catch {
      return Number.NaN;
    }
  }

  async function serve(config: InternalAxiosRequestConfig): Promise<AxiosResponse> {
    const started = Date.now();
    const url = urlOf(config);
    const text = typeof config.data === 'string' ? config.data : config.data == null ? '' : JSON.stringify(config.data);
    const token = bearer(config);
    checkLeaks(config, url.origin, text, token);

    if (text.includes('refreshToken(')) {
      // A REST API answers a POST it does not know with 401 (no token on it): read as "refresh token rejected".
      if (url.origin !== ORIGINS.api) return respond(config, 401, { message: 'Unauthorized' });
      return refreshAnswer(config, JSON.parse(text), started);
    }
    if (url.origin === ORIGINS.cdn) return respond(config, 200, 'asset');
    const id = idOf(config);
    checkStale(token, `request ${id} (attempt ${(attempts.get(id) ?? 0) + 1}, ${config.method?.toUpperCase()} ${url.origin})`);
    if (url.origin === ORIGINS.rest) return restAnswer(config, token, started);
    return graphqlAnswer(config, JSON.parse(text || '{}'), token, started);
  }

  return {
    adapter,
    expire() {
      epoch++;
      stats.expiries++;
    },
    issue,
    watch(r) {
      read = r;
    },
    stageOf(id) {
      const n = inFlight.get(id);
      if (n !== undefined) return n > 1 ? 'replay' : 'in-flight';
      if (refreshesInFlight === 0) return 'idle';
      return attempts.has(id) ? 'awaiting-replay' : 'held';
    },
    timeoutStageOf(id) {
      const n = timedOut.get(id);
      if (n !== undefined) return n > 1 ? 'replay' : 'in-flight';
      return attempts.has(id) ? 'awaiting-replay' : 'held';
    },
    refreshesIdle: () => (refreshesInFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve))),
    get refreshesInFlight() {
      return refreshesInFlight;
    },
    stats,
  };
}
