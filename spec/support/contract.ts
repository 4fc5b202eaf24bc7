import axios, { type AxiosInstance } from 'axios';
import type { TokenRefreshHandle, TokenRefreshOptions } from '../../lib';
import { attachTokenRefresh, createGraphQLClient } from '../../lib';
import { type ReceivedRequest, startTestServer, type TestServer, type TestServerOptions } from './graphql-server';

// Helpers for the contract-*.spec.ts regression tests (issue 9): servers closed after each test,
// deferreds, and bounded waits that fail a test with a message instead of letting it hang.

const servers: TestServer[] = [];
const timers = new Set<NodeJS.Timeout>();

/** Starts a test server that `closeServers()` closes. */
export async function openServer(options: TestServerOptions = {}): Promise<TestServer> {
  const server = await startTestServer(options);
  servers.push(server);
  return server;
}

/** Closes every server opened with `openServer` and clears pending bounds (call in afterEach). */
export async function closeServers(): Promise<void> {
  for (const timer of timers) clearTimeout(timer);
  timers.clear();
  await Promise.all(servers.splice(0).map((s) => s.close()));
}

export interface Attached {
  server: TestServer;
  api: AxiosInstance;
  auth: TokenRefreshHandle;
  client: ReturnType<typeof createGraphQLClient>;
  initial: { accessToken: string; refreshToken: string; expiresIn: number };
}

/**
 * An instance on `server` with the plugin attached and tokens the server issued; `before` runs on
 * the instance before attaching (user interceptors, axios-retry).
 */
export function attachTo(server: TestServer, options: TokenRefreshOptions = {}, before?: (api: AxiosInstance) => void): Attached {
  const api = axios.create({ baseURL: server.url });
  before?.(api);
  const initial = server.issueTokens();
  const auth = attachTokenRefresh(api, { tokens: { accessToken: initial.accessToken, refreshToken: initial.refreshToken }, ...options });
  // One request per call, identical ones included: the contract is the plugin's (docs/graphql-client.md#coalescing).
  return { server, api, auth, client: createGraphQLClient(api, { coalesce: false }), initial };
}

/** One deferred helper for every test (spec/support/setup.ts). */
export { deferred } from './setup';

/**
 * Resolves with `promise`, or rejects with `failure` when it has not settled after `boundMs`. A bound
 * on a wait that the contract says must end (never a sleep the test relies on to pass).
 */
export function within<T>(promise: Promise<T>, failure: string, boundMs = 8_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      reject(new Error(failure));
    }, boundMs);
    timers.add(timer);
    promise.then(
      (value) => {
        clearTimeout(timer);
        timers.delete(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        timers.delete(timer);
        reject(error);
      },
    );
  });
}

/** Resolves once `condition()` holds (checked every event-loop turn); rejects with `failure` after `boundMs`. */
export function until(condition: () => boolean, failure: string, boundMs = 8_000): Promise<void> {
  let stopped = false;
  const met = new Promise<void>((resolve) => {
    const check = () => {
      if (stopped) return;
      if (condition()) resolve();
      else setTimeout(check, 2);
    };
    check();
  });
  return within(met, failure, boundMs).finally(() => {
    stopped = true;
  });
}

/** Settles `promise` to its value or its rejection reason, without throwing. */
export function outcome<T>(promise: Promise<T>): Promise<{ value?: T; error?: any }> {
  return promise.then(
    (value) => ({ value }),
    (error) => ({ error }),
  );
}

export const isRefresh = (r: ReceivedRequest) => r.body.includes('refreshToken(');
/** The access token a request carried (without `Bearer `). */
export const tokenOf = (r: ReceivedRequest) => r.authorization?.replace(/^Bearer /, '');
/** Requests other than refreshes and logins. */
export const dataRequests = (server: TestServer) => server.received.filter((r) => !isRefresh(r) && !r.body.includes('login('));

/** Everything a request put on the wire, to look for a secret in it. */
export const wire = (r: ReceivedRequest) => `${r.method} ${r.url}\n${JSON.stringify(r.headers)}\n${r.body}`;
/** The requests that carried `secret` anywhere, named by method and path (a failure never prints the secret). */
export const carrying = (requests: ReceivedRequest[], secret: string) =>
  requests.filter((r) => wire(r).includes(secret)).map((r) => `${r.method} ${r.url}`);
/** Names a token set by owner, so a failing assertion prints no token. */
export function whose(
  tokens: { accessToken?: string; refreshToken?: string } | null | undefined,
  owners: Record<string, { accessToken: string; refreshToken: string }>,
): string {
  if (!tokens) return 'nobody';
  for (const [name, set] of Object.entries(owners)) {
    if (tokens.accessToken === set.accessToken && tokens.refreshToken === set.refreshToken) return name;
    if (tokens.refreshToken === set.refreshToken) return `${name} (refreshed)`;
  }
  return 'someone else';
}

const [major, minor] = axios.VERSION.split('.').map(Number);
/** axios ≥ 1.0 sends a spec FormData from Node (0.27 rejects it before sending). */
export const axiosSendsFormData = major >= 1;
/** axios ≥ 1.7 has the fetch adapter (`adapter: 'fetch'`, `env.fetch`). */
export const axiosHasFetchAdapter = major > 1 || (major === 1 && minor >= 7);
