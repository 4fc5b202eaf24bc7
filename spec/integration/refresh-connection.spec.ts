import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance } from 'axios';
import { attachTokenRefresh, createGraphQLClient, gql, type TokenRefreshHandle } from '../../lib';
import { createNextSchoolClient } from '../../lib/nextschool';
import { axiosHasFetchAdapter } from '../support/contract';
import { deferred, within } from '../support/events';
import { type ForwardProxy, forwardProxy, type HeldServer, heldServer, TEST_CA } from '../support/held-server';

// The refresh and the login never wait behind the herd (docs/how-it-works.md, "connection pools"): with a bounded
// keep-alive pool whose every socket carries a request the server is slow to answer, and more
// requests queued in the pool, the refresh still reaches the server — through a connection of its
// own that carries the instance's TLS and proxy settings, and never its default Authorization.
// The plugin hands the transport no more of its own requests than the pool has sockets (admission,
// docs/rate-limits.md), so what queues in the pool here is the rest of the application's traffic on
// the same agent: another axios instance without the plugin, as a backend's other clients are.

const STUDENTS = gql`query Students { students { id fullName } }`;
const TOKENS = { accessToken: 'at-revoked', refreshToken: 'rt-0123456789' };
const POOL = 4;

let server: HeldServer;
let proxy: ForwardProxy | undefined;
const agents: http.Agent[] = [];
const pool = <A extends http.Agent>(agent: A): A => (agents.push(agent), agent);
afterEach(async () => {
  await server?.close();
  await proxy?.close();
  proxy = undefined;
  for (const agent of agents.splice(0)) agent.destroy();
});

/** Requests queued in `agent`, not yet on a socket. */
const queuedIn = (agent: http.Agent) => Object.values(agent.requests).reduce((n, list) => n + (list?.length ?? 0), 0);

/**
 * Twice the pool's size in queries on a revoked token: the server holds every data request but the
 * oldest, which it answers UNAUTHENTICATED once the pool is full — the refresh (or login) starts
 * while every pooled socket is busy and requests wait in the pool. Resolves, when it reaches the
 * server, with what was true at that moment (and after `whileFull`, run before the server lets the
 * held requests go); rejects when it never does.
 */
async function herdOnAFullPool(api: AxiosInstance, agent: http.Agent, query: () => Promise<unknown>, whileFull?: () => Promise<unknown>) {
  server.holdData();
  const answers = Promise.allSettled(Array.from({ length: 2 * POOL }, query));
  await server.dataArrived(POOL);
  const others = otherTrafficOn(api);
  server.answerOldest(); // its socket goes to the next queued request, which the server holds too
  const refresh = await within(server.tokenRequestArrived, 'the refresh never reached the server: it waited in the pool behind the herd');
  const atRefresh = { heldAtServer: server.heldNow, queuedInPool: queuedIn(agent) };
  await whileFull?.();
  server.releaseAll();
  await others;
  return { refresh, atRefresh, outcomes: await answers };
}

/** POOL requests of the application's other traffic on the instance's agent and proxy (no plugin): they queue in the full pool. */
function otherTrafficOn(api: AxiosInstance) {
  const { baseURL, httpAgent, httpsAgent, proxy: via } = api.defaults;
  const plain = axios.create({ baseURL, httpAgent, httpsAgent, proxy: via, validateStatus: () => true });
  return Promise.allSettled(Array.from({ length: POOL }, () => plain.post('', { query: STUDENTS.source })));
}

/** The herd through `attachTokenRefresh(api)` and its GraphQL client. */
function herdThrough(
  api: AxiosInstance,
  agent: http.Agent,
  whileFull?: (auth: TokenRefreshHandle, refreshed: Promise<void>) => Promise<unknown>,
) {
  const refreshed = deferred();
  const auth = attachTokenRefresh(api, { tokens: TOKENS, onRefresh: () => refreshed.resolve() });
  const client = createGraphQLClient(api, { coalesce: false });
  return herdOnAFullPool(api, agent, () => client.query(STUDENTS), whileFull && (() => whileFull(auth, refreshed.promise)));
}

const named = (name: string) => server.received.filter((r) => r.operationName === name);

describe('the refresh on a bounded keep-alive pool whose every socket is busy', () => {
  it('reaches the server while pooled requests are held and others wait in the pool, and the herd is answered', async () => {
    server = await heldServer();
    const agent = pool(new http.Agent({ keepAlive: true, maxSockets: POOL }));
    const api = axios.create({ baseURL: server.url, httpAgent: agent });

    // While the pool is still full, more refreshes: through the same connection of its own, kept alive.
    const { atRefresh, outcomes } = await herdThrough(api, agent, async (auth, refreshed) => {
      await refreshed;
      await auth.refresh(); // may join the first refresh, still settling
      await within(auth.refresh(), 'another refresh waited in the pool');
    });

    expect(atRefresh.heldAtServer).toBeGreaterThanOrEqual(POOL - 1);
    expect(atRefresh.queuedInPool).toBeGreaterThan(0);
    expect(outcomes.map((o) => o.status)).toEqual(Array(2 * POOL).fill('fulfilled'));
    expect(named('RefreshToken').length).toBeGreaterThanOrEqual(2);
    expect(new Set(named('RefreshToken').map((r) => r.port)).size).toBe(1);
  });

  it('over HTTPS, trusts the CA given in the instance’s httpsAgent, and sends no default Authorization', async () => {
    server = await heldServer({ tls: true });
    const agent = pool(new https.Agent({ keepAlive: true, maxSockets: POOL, ca: TEST_CA }));
    const api = axios.create({ baseURL: server.url, httpsAgent: agent });
    api.defaults.headers.common.Authorization = 'Bearer a-static-default';

    const { refresh, atRefresh, outcomes } = await herdThrough(api, agent);

    expect(atRefresh.queuedInPool).toBeGreaterThan(0);
    expect(refresh.authorization).toBeUndefined();
    expect(outcomes.map((o) => o.status)).toEqual(Array(2 * POOL).fill('fulfilled'));
    expect(named('RefreshToken')).toHaveLength(1);
  });

  it('goes through the proxy configured on the instance', async () => {
    server = await heldServer();
    proxy = await forwardProxy();
    const agent = pool(new http.Agent({ keepAlive: true, maxSockets: POOL }));
    const api = axios.create({ baseURL: server.url, httpAgent: agent, proxy: proxy.config });

    const { atRefresh, outcomes } = await herdThrough(api, agent);

    expect(atRefresh.queuedInPool).toBeGreaterThan(0);
    expect(proxy.forwarded).toContain('RefreshToken');
    expect(server.received.length).toBe(proxy.forwarded.length); // nothing went around the proxy
    expect(outcomes.map((o) => o.status)).toEqual(Array(2 * POOL).fill('fulfilled'));
  });
});

describe('the pool the refresh uses when it keeps the instance’s agent', () => {
  /** An agent that notes the path of every request it is given, and calls `watch` after each. */
  function noting<A extends http.Agent>(agent: A): A & { given: string[]; watch?: () => unknown } {
    const given: string[] = [];
    const addRequest = (agent as unknown as { addRequest: (req: http.ClientRequest, options: object) => void }).addRequest;
    const noted = Object.assign(agent, {
      given,
      watch: undefined as (() => unknown) | undefined,
      addRequest(this: http.Agent, req: http.ClientRequest, options: object) {
        given.push(req.path);
        const result = addRequest.call(this, req, options);
        noted.watch?.();
        return result;
      },
    });
    return noted;
  }

  it('an unbounded pool (Node’s default): the refresh takes one of its warm sockets', async () => {
    server = await heldServer();
    const agent = pool(noting(new http.Agent({ keepAlive: true })));
    const api = axios.create({ baseURL: server.url, httpAgent: agent });
    attachTokenRefresh(api, { tokens: TOKENS });

    await createGraphQLClient(api, { coalesce: false }).query(STUDENTS);

    expect(agent.given).toHaveLength(3); // the query, the refresh, the replay
    expect(named('RefreshToken')).toHaveLength(1);
  });

  it('a bounded pool with room: the refresh takes one of its sockets, as any request would', async () => {
    server = await heldServer();
    const agent = pool(noting(new http.Agent({ keepAlive: true, maxSockets: POOL })));
    const api = axios.create({ baseURL: server.url, httpAgent: agent });
    attachTokenRefresh(api, { tokens: TOKENS });

    await createGraphQLClient(api, { coalesce: false }).query(STUDENTS);

    expect(agent.given).toHaveLength(3); // the query, the refresh, the replay
    expect(named('RefreshToken')).toHaveLength(1);
  });

  it('a full pool of an agent whose class takes more than its options (a proxy agent’s URL first): never rebuilt from a guess, the refresh waits in it', async () => {
    server = await heldServer();
    class ViaSomething extends http.Agent {
      constructor(
        readonly via: string,
        options: http.AgentOptions,
      ) {
        super(options);
      }
    }
    const agent = pool(noting(new ViaSomething('http://proxy.invalid', { keepAlive: true, maxSockets: POOL })));
    const api = axios.create({ baseURL: server.url, httpAgent: agent });
    attachTokenRefresh(api, { tokens: TOKENS });
    const client = createGraphQLClient(api, { coalesce: false });
    server.holdData();
    const answers = Promise.allSettled(Array.from({ length: 2 * POOL }, () => client.query(STUDENTS)));
    await server.dataArrived(POOL);
    const others = otherTrafficOn(api);
    const refreshGiven = new Promise<void>((resolve) => agent.once('refresh-given', resolve));
    agent.watch = () => agent.given.length === 2 * POOL + 1 && agent.emit('refresh-given');
    server.answerOldest();
    await within(refreshGiven, 'the refresh was not given to the agent');

    expect(named('RefreshToken')).toEqual([]); // queued behind the held requests, in the user's agent
    server.releaseAll();
    await others;
    expect((await answers).map((o) => o.status)).toEqual(Array(2 * POOL).fill('fulfilled'));
    expect(named('RefreshToken')).toHaveLength(1);
  });
});

describe('the NextSchool login on a bounded keep-alive pool whose every socket is busy', () => {
  it('reaches the server while pooled requests are held and others wait in the pool', async () => {
    server = await heldServer();
    const agent = pool(new http.Agent({ keepAlive: true, maxSockets: POOL }));
    const api = axios.create({ baseURL: server.url, httpAgent: agent });
    // No refresh token: the revoked access token is replaced by a login.
    const ns = createNextSchoolClient({
      axios: api,
      url: server.url,
      username: 'u',
      password: 'p',
      tokens: { accessToken: 'at-revoked' },
      coalesce: false,
    });

    const { atRefresh, outcomes } = await herdOnAFullPool(api, agent, () => ns.students());

    expect(atRefresh.queuedInPool).toBeGreaterThan(0);
    expect(outcomes.map((o) => o.status)).toEqual(Array(2 * POOL).fill('fulfilled'));
    expect(named('Login')).toHaveLength(1);
  });
});

if (axiosHasFetchAdapter) {
  describe('the refresh under the fetch adapter', () => {
    it('asks fetch for priority high (a browser may serve it before the requests queued for its connections); the herd keeps its own', async () => {
      server = await heldServer();
      const asked: Array<{ operationName?: string; priority?: unknown }> = [];
      const spy = async (input: Request, init?: RequestInit) => {
        const { operationName } = JSON.parse(await input.clone().text()) as { operationName?: string };
        asked.push({ operationName, priority: init?.priority });
        return fetch(input, init);
      };
      const api = axios.create({ baseURL: server.url, adapter: 'fetch', env: { fetch: spy } } as never);
      attachTokenRefresh(api, { tokens: TOKENS });
      const client = createGraphQLClient(api, { coalesce: false });

      await Promise.all([client.query(STUDENTS), client.query(STUDENTS)]);

      expect(asked.filter((a) => a.operationName === 'RefreshToken')).toEqual([{ operationName: 'RefreshToken', priority: 'high' }]);
      expect(asked.filter((a) => a.operationName === 'Students').map((a) => a.priority)).toEqual([
        undefined,
        undefined,
        undefined,
        undefined,
      ]);
    });
  });
}
