import axios, { type AxiosInstance } from 'axios';
import type { TokenRefreshHandle, TokenRefreshOptions } from '../../lib';
import { attachTokenRefresh, createGraphQLClient, gql } from '../../lib';
import { deferred } from './events';
import { type ReceivedRequest, startTestServer, type TestServer, type TestServerOptions } from './graphql-server';

export const STUDENTS = gql<{ students: Array<{ id: number; fullName: string }> }, { limit?: number; search?: string }>`
  query Students($limit: Int, $search: String) { students(limit: $limit, search: $search) { id fullName } }
`;

export interface Harness {
  server: TestServer;
  api: AxiosInstance;
  auth: TokenRefreshHandle;
  client: ReturnType<typeof createGraphQLClient>;
  /** Tokens the server issued up front (as a login would have). */
  initial: { accessToken: string; refreshToken: string; expiresIn: number };
  /** Requests the server received for `students`, with the token each carried. */
  studentRequests(): Array<string | undefined>;
  close(): Promise<void>;
}

const open: Harness[] = [];

/** Starts a server, an axios instance on it with the plugin attached and initial tokens, and a client. */
export async function harness(
  options: Omit<TokenRefreshOptions, 'tokens'> & { tokens?: TokenRefreshOptions['tokens'] | 'none'; knownExpiry?: boolean } = {},
  serverOptions: TestServerOptions = {},
): Promise<Harness> {
  const server = await startTestServer(serverOptions);
  const api = axios.create({ baseURL: server.url });
  const initial = server.issueTokens();
  const { knownExpiry, tokens, ...rest } = options;
  const given =
    tokens === 'none'
      ? undefined
      : (tokens ?? {
          accessToken: initial.accessToken,
          refreshToken: initial.refreshToken,
          ...(knownExpiry ? { expiresIn: initial.expiresIn } : {}),
        });
  const auth = attachTokenRefresh(api, { ...rest, tokens: given });
  // These specs exercise the plugin: one request per call, identical ones included (docs/graphql-client.md#coalescing).
  const client = createGraphQLClient(api, { coalesce: false });
  const h: Harness = {
    server,
    api,
    auth,
    client,
    initial,
    studentRequests: () =>
      server.received.filter((r) => r.operationName === 'Students').map((r) => r.authorization?.replace('Bearer ', '')),
    close: () => server.close(),
  };
  open.push(h);
  return h;
}

/** Closes every harness a test opened. */
export async function closeAll(): Promise<void> {
  await Promise.all(open.splice(0).map((h) => h.close()));
}

/**
 * Holds every request named `operationName` at the server (before it is authenticated or executed)
 * until `release()`. `arrived` resolves with the first one, so a test acts while it is in flight
 * (e.g. while the refresh runs) instead of sleeping and hoping it is.
 */
export function holdOperation(server: TestServer, operationName: string) {
  const first = deferred<ReceivedRequest>();
  const gate = deferred();
  let held = 0;
  server.set({
    beforeAuth: (request) => {
      if (request.operationName !== operationName) return undefined;
      held++;
      first.resolve(request);
      return gate.promise;
    },
  });
  return {
    arrived: first.promise,
    /** How many requests are (or were) held. */
    held: () => held,
    release: () => {
      server.set({ beforeAuth: undefined });
      gate.resolve();
    },
  };
}

/** Settles every promise and returns the outcomes. */
export function settleAll<T>(promises: Array<Promise<T>>) {
  return Promise.allSettled(promises);
}
