import { AxiosError, CanceledError, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import type { MemoryTokenStore } from '../../lib';

// An in-memory model of a NextSchool-like server, as an axios adapter. Time is counted in event-loop
// turns (setImmediate), not milliseconds, so a run is fast and its schedule is what fast-check drew.
// Auth is checked when the answer is produced, after the latency: answers can be "late".

export type RefreshOutcome = 'ok' | 'http500' | 'network' | 'reject';

export interface ModelOptions {
  rotate: boolean;
  authMode: 'request' | 'field';
  /** Outcomes of successive refresh attempts; 'ok' once exhausted. */
  refreshOutcomes: RefreshOutcome[];
  refreshLatency: number;
  /** Per logical request id: latency of each send, and how many sends to decline with RATE_LIMITED. */
  latencyOf: (id: number, attempt: number) => number;
  declinesOf: (id: number) => number;
}

export interface ModelServer {
  adapter: (config: InternalAxiosRequestConfig) => Promise<AxiosResponse>;
  /** The server invalidates every access token issued so far. */
  expire(): void;
  issue(): { accessToken: string; refreshToken: string };
  /** Set by the test: the store whose token is "the newest known" when a request is sent. */
  watch(store: MemoryTokenStore): void;
  readonly stats: {
    expiries: number;
    refreshAttempts: number;
    refreshSuccesses: number;
    refreshFailures: number;
    executions: Map<number, number>;
    staleSends: string[];
  };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createModelServer(options: ModelOptions): ModelServer {
  let counter = 0;
  let epoch = 0;
  const access = new Map<string, number>(); // token → epoch issued in
  const refresh = new Map<string, boolean>();
  const attempts = new Map<number, number>();
  let store: MemoryTokenStore | undefined;
  const stats: ModelServer['stats'] = {
    expiries: 0,
    refreshAttempts: 0,
    refreshSuccesses: 0,
    refreshFailures: 0,
    executions: new Map(),
    staleSends: [],
  };

  function issue() {
    const accessToken = `at-${++counter}`;
    const refreshToken = `rt-${++counter}`;
    access.set(accessToken, epoch);
    refresh.set(refreshToken, true);
    return { accessToken, refreshToken };
  }

  const respond = (config: InternalAxiosRequestConfig, status: number, data: unknown): AxiosResponse => {
    // Plain headers and string codes: the same model runs under axios 0.27 and 1.x.
    const response = { data, status, statusText: String(status), headers: {}, config, request: {} } as AxiosResponse;
    const valid = config.validateStatus ? config.validateStatus(status) : status >= 200 && status < 300;
    if (!valid) throw new AxiosError(`Request failed with status code ${status}`, 'ERR_BAD_RESPONSE', config, {}, response);
    return response;
  };

  async function wait(config: InternalAxiosRequestConfig, turns: number): Promise<void> {
    for (let i = 0; i < turns; i++) {
      if (config.signal?.aborted) throw new CanceledError(undefined, undefined, config);
      await turn();
    }
    if (config.signal?.aborted) throw new CanceledError(undefined, undefined, config);
  }

  async function adapter(config: InternalAxiosRequestConfig): Promise<AxiosResponse> {
    const body = JSON.parse(String(config.data ?? '{}')) as { query: string; variables?: Record<string, unknown> };
    const authorization = String(config.headers?.Authorization ?? config.headers?.authorization ?? '');
    const token = authorization.replace(/^Bearer /, '') || undefined;

    if (body.query.includes('refreshToken(')) {
      stats.refreshAttempts++;
      const outcome = options.refreshOutcomes[stats.refreshAttempts - 1] ?? 'ok';
      await wait(config, options.refreshLatency);
      if (outcome === 'network') {
        stats.refreshFailures++;
        throw new AxiosError('socket hang up', 'ECONNRESET', config, {});
      }
      if (outcome === 'http500') {
        stats.refreshFailures++;
        return respond(config, 500, '<html>Internal error</html>');
      }
      const given = String(body.variables?.refreshToken);
      if (outcome === 'reject' || !refresh.get(given)) {
        return respond(config, 200, { data: { refreshToken: null }, errors: [{ message: 'Invalid or expired refresh token' }] });
      }
      stats.refreshSuccesses++;
      const fresh = issue();
      if (options.rotate) refresh.set(given, false);
      else refresh.delete(fresh.refreshToken);
      return respond(config, 200, { data: { refreshToken: { accessToken: fresh.accessToken, expiresIn: 900, ...(options.rotate ? { refreshToken: fresh.refreshToken } : {}) } } });
    }

    // A data request: identify the logical call, check "newest known token" at send time.
    const id = Number(body.variables?.id);
    const known = store?.get()?.accessToken;
    if (token && known && token !== known) stats.staleSends.push(`${token} sent while ${known} was stored`);
    const attempt = (attempts.get(id) ?? 0) + 1;
    attempts.set(id, attempt);
    await wait(config, options.latencyOf(id, attempt));

    if (attempt <= options.declinesOf(id)) {
      return respond(config, 200, { errors: [{ message: 'Too many requests. Please slow down.', extensions: { code: 'RATE_LIMITED', retryAfter: 0 } }] });
    }
    const authenticated = !!token && access.get(token) === epoch;
    const mutation = body.query.startsWith('mutation');
    const field = mutation ? 'addNote' : 'students';
    if (!authenticated) {
      const error = { message: 'Authentication required', extensions: { code: 'UNAUTHENTICATED' } };
      if (options.authMode === 'request') return respond(config, 200, { errors: [error] });
      return respond(config, 200, { data: mutation ? null : { [field]: null }, errors: [{ ...error, path: [field] }] });
    }
    if (mutation) stats.executions.set(id, (stats.executions.get(id) ?? 0) + 1);
    return respond(config, 200, { data: { [field]: mutation ? { id } : [{ id }] } });
  }

  return {
    adapter,
    expire() {
      epoch++;
      stats.expiries++;
    },
    issue,
    watch(s) {
      store = s;
    },
    stats,
  };
}
