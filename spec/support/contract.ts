import axios, { type AxiosInstance } from 'axios';
import type { TokenRefreshHandle, TokenRefreshOptions } from '../../lib';
import { attachTokenRefresh, createGraphQLClient } from '../../lib';
import { clearBounds } from './events';
import { closeTestServers, type ReceivedRequest, startTestServer, type TestServer, type TestServerOptions } from './graphql-server';

// Helpers for the contract-*.spec.ts regression tests: servers closed after each test (and the
// bounds of events.ts `within` cleared), instances attached to them, and what a request carried.

/** Starts a test server that `closeServers()` closes. */
export const openServer = (options: TestServerOptions = {}): Promise<TestServer> => startTestServer(options);

/** Closes every test server still open and clears the bounds `within` holds (call in afterEach). */
export async function closeServers(): Promise<void> {
  clearBounds();
  await closeTestServers();
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
