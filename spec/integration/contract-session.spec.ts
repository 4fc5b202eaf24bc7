import axios from 'axios';
import {
  attachTokenRefresh,
  createGraphQLClient,
  isSessionExpiredError,
  isTokenRefreshError,
  MemoryTokenStore,
} from '../../lib';
import { attachTo, closeServers, dataRequests, isRefresh, openServer, outcome, tokenOf, until } from '../support/contract';
import type { ReceivedRequest, TestServer } from '../support/graphql-server';
import { STUDENTS } from '../support/setup';

// Issue 9, failures 3, 4, 5 and the "also seen" items 14 and 16: who refreshes, what a flight may
// write, and how a session ends, with several attachments and a caller acting mid-flight.

afterEach(closeServers);

/** Everything a request put on the wire, to look for a secret in it. */
const wire = (r: ReceivedRequest) => `${r.method} ${r.url}\n${JSON.stringify(r.headers)}\n${r.body}`;
/** The requests that carried `secret` anywhere, named by method and path (a failure never prints the secret). */
const carrying = (requests: ReceivedRequest[], secret: string) => requests.filter((r) => wire(r).includes(secret)).map((r) => `${r.method} ${r.url}`);
/** Names a token set by owner, so a failing assertion prints no token. */
function whose(tokens: { accessToken?: string; refreshToken?: string } | null | undefined, owners: Record<string, { accessToken: string; refreshToken: string }>): string {
  if (!tokens) return 'nobody';
  for (const [name, set] of Object.entries(owners)) {
    if (tokens.accessToken === set.accessToken && tokens.refreshToken === set.refreshToken) return name;
    if (tokens.refreshToken === set.refreshToken) return `${name} (refreshed)`;
  }
  return 'someone else';
}

describe('attachTokenRefresh(instance) on a REST API sharing a store with a GraphQL API (issue 9 #3)', () => {
  async function twoOrigins() {
    const graphql = await openServer();
    const rest = await openServer({ restOnly: true });
    rest.set({ restAccepts: (token) => graphql.acceptsAccessToken(token) });
    const initial = graphql.issueTokens();
    return { graphql, rest, initial };
  }

  /** Both APIs on one store; `warm`: the GraphQL API answered a query before the REST API met the expiry. */
  async function sharedStore(warm: boolean) {
    const { graphql, rest, initial } = await twoOrigins();
    const store = new MemoryTokenStore({ accessToken: initial.accessToken, refreshToken: initial.refreshToken });
    const onGraphQLExpired = jest.fn();
    const onRestExpired = jest.fn();
    const graphqlApi = axios.create({ baseURL: graphql.url });
    attachTokenRefresh(graphqlApi, { tokens: store, onSessionExpired: onGraphQLExpired });
    const restApi = axios.create({ baseURL: `${rest.origin}/rest` });
    attachTokenRefresh(restApi, { tokens: store, onSessionExpired: onRestExpired });
    if (warm) await createGraphQLClient(graphqlApi).query(STUDENTS);
    graphql.expireAccessTokens();
    return { graphql, rest, initial, store, restApi, onGraphQLExpired, onRestExpired };
  }

  it.each([
    ['after the GraphQL API has answered a query', true],
    ['before the GraphQL API has sent any request (baseURL is its endpoint)', false],
  ])('%s: refreshes at the GraphQL endpoint, never sends the refresh token to the REST origin, and replays the REST request', async (_, warm) => {
    const { graphql, rest, initial, store, restApi, onGraphQLExpired, onRestExpired } = await sharedStore(warm);

    const result = await outcome(restApi.get('/me'));

    expect(carrying(rest.received, initial.refreshToken)).toEqual([]);
    expect(rest.received.filter(isRefresh)).toHaveLength(0);
    expect(result.error?.message).toBeUndefined();
    expect(graphql.stats.refreshes).toBe(1);
    expect(onGraphQLExpired).not.toHaveBeenCalled();
    expect(onRestExpired).not.toHaveBeenCalled();
    const stored = await store.get();
    expect(whose(stored, { initial })).toBe('initial (refreshed)');
    expect(result.value?.data.me).toBe(graphql.username);
    const sent = rest.received.filter((r) => r.url === '/rest/me').map(tokenOf);
    expect(sent.map((token) => (token === initial.accessToken ? 'old' : token === stored?.accessToken ? 'new' : 'other'))).toEqual(['old', 'new']);
  });

  it('a REST API that keeps answering 401 with the new token does not end the shared session by itself', async () => {
    const { graphql, rest, initial, store, restApi, onGraphQLExpired, onRestExpired } = await sharedStore(true);
    rest.set({ restAccepts: () => false });

    const result = await outcome(restApi.get('/me'));

    expect(carrying(rest.received, initial.refreshToken)).toEqual([]);
    expect(graphql.stats.refreshes).toBeLessThanOrEqual(1);
    expect(onGraphQLExpired).not.toHaveBeenCalled();
    expect(onRestExpired).not.toHaveBeenCalled();
    expect(whose(await store.get(), { initial })).toMatch(/^initial/);
    expect(result.error?.message).toMatch(/401/); // the REST answer, after one replay with the new token
    expect(rest.received.filter((r) => r.url === '/rest/me')).toHaveLength(2);
  });

  it('alone, with no refresh endpoint of its own, rejects with TokenRefreshError, keeps the tokens and sends the refresh token nowhere', async () => {
    const { graphql, rest, initial } = await twoOrigins();
    const onSessionExpired = jest.fn();
    const restApi = axios.create({ baseURL: `${rest.origin}/rest` });
    const auth = attachTokenRefresh(restApi, { tokens: { accessToken: initial.accessToken, refreshToken: initial.refreshToken }, onSessionExpired });
    graphql.expireAccessTokens();

    const error = await restApi.get('/me').catch((e) => e);

    expect(carrying(rest.received, initial.refreshToken)).toEqual([]);
    expect(isTokenRefreshError(error)).toBe(true);
    expect(onSessionExpired).not.toHaveBeenCalled();
    expect(whose(await auth.getTokens(), { initial })).toBe('initial');
  });
});

describe('handle.setTokens() while a refresh is in flight (issue 9 #4)', () => {
  async function refreshHeldThenSetTokens(setTo: 'bob' | null, refreshAnswer: 'tokens' | 'rejected') {
    const server = await openServer();
    const onSessionExpired = jest.fn();
    const alice = attachTo(server, { onSessionExpired });
    server.expireAccessTokens();
    const hold = server.hold(isRefresh);
    const first = outcome(alice.client.query(STUDENTS));
    await hold.arrived;
    const bob = server.issueTokens();
    await alice.auth.setTokens(setTo === 'bob' ? bob : null);
    if (refreshAnswer === 'rejected') server.set({ refreshFault: 'reject' });
    hold.release();
    return { ...alice, bob, onSessionExpired, first: await first };
  }

  it("keeps bob's tokens when alice's refresh answers after setTokens(bob); requests go out as bob", async () => {
    const { server, auth, client, bob, initial, first } = await refreshHeldThenSetTokens('bob', 'tokens');

    expect(whose(await auth.getTokens(), { alice: initial, bob })).toBe('bob');
    await client.query(STUDENTS);
    expect(whose(await auth.getTokens(), { alice: initial, bob })).toBe('bob');
    const sent = dataRequests(server).map((r) => (tokenOf(r) === initial.accessToken ? 'alice' : tokenOf(r) === bob.accessToken ? 'bob' : 'other'));
    expect(sent[0]).toBe('alice');
    expect(sent.slice(1)).toEqual(sent.slice(1).map(() => 'bob'));
    expect(first.error).toBeUndefined(); // the waiter continued with what the store holds now
  });

  it("keeps bob's tokens and does not end the session when alice's refresh is rejected after setTokens(bob)", async () => {
    const { server, auth, client, bob, initial, onSessionExpired } = await refreshHeldThenSetTokens('bob', 'rejected');

    expect(whose(await auth.getTokens(), { alice: initial, bob })).toBe('bob');
    expect(onSessionExpired).not.toHaveBeenCalled();
    await client.query(STUDENTS);
    expect(tokenOf(dataRequests(server).at(-1)!) === bob.accessToken).toBe(true);
  });

  it("sends the requests held at the gate during alice's refresh as bob after setTokens(bob)", async () => {
    const server = await openServer();
    const alice = attachTo(server);
    server.expireAccessTokens();
    const hold = server.hold(isRefresh);
    const first = outcome(alice.client.query(STUDENTS));
    await hold.arrived;
    const held = Array.from({ length: 5 }, () => outcome(alice.client.query(STUDENTS)));
    await until(() => alice.auth.stats.queued >= 5, 'the 5 later requests were never held at the gate');
    const bob = server.issueTokens();
    await alice.auth.setTokens(bob);
    hold.release();

    const results = await Promise.all([first, ...held]);

    for (const result of results) expect(result.error?.message).toBeUndefined();
    const sent = dataRequests(server).map((r) => (tokenOf(r) === alice.initial.accessToken ? 'alice' : tokenOf(r) === bob.accessToken ? 'bob' : 'other'));
    expect(sent).toEqual(['alice', ...Array(6).fill('bob')]);
  });

  it('does not store the refresh result after setTokens(null) (logout during a refresh)', async () => {
    const { auth, first, initial } = await refreshHeldThenSetTokens(null, 'tokens');

    expect(whose(await auth.getTokens(), { alice: initial })).toBe('nobody');
    expect(isSessionExpiredError(first.error)).toBe(true);
  });
});

/** Twenty requests held on one refresh the server holds: one waits for its replay, nineteen at the gate. */
async function twentyHeldOnARefresh(options: Parameters<typeof attachTo>[1] = {}) {
  const server = await openServer();
  const attached = attachTo(server, { retry: false, ...options });
  server.expireAccessTokens();
  const hold = server.hold(isRefresh);
  const first = outcome(attached.client.query(STUDENTS));
  await hold.arrived;
  const others = Array.from({ length: 19 }, () => outcome(attached.client.query(STUDENTS)));
  await until(() => attached.auth.stats.queued >= 19, 'the 19 later requests were never held at the gate');
  return { hold, ...attached, outcomes: () => Promise.all([first, ...others]) };
}

/** Data requests the server received after the first refresh arrived (the one the test held and failed). */
function sentAfterRefresh(server: TestServer): ReceivedRequest[] {
  const first = server.received.findIndex(isRefresh);
  return server.received.slice(first + 1).filter((r) => !isRefresh(r));
}

describe('attachTokenRefresh(instance): a refresh failing transiently while 20 requests wait (issue 9 #5)', () => {
  it.each(['http500', 'network'] as const)('rejects all 20 with TokenRefreshError (cause set) after one refresh (%s), sending none again with the dead token', async (fault) => {
    const { server, hold, outcomes, auth, initial, client } = await twentyHeldOnARefresh();
    server.set({ refreshFault: fault });
    hold.release();

    const results = await outcomes();

    expect(sentAfterRefresh(server).map((r) => r.operationName)).toEqual([]);
    expect(server.stats.refreshes).toBe(1);
    for (const result of results) {
      expect(isTokenRefreshError(result.error)).toBe(true);
      expect(result.error.cause).toBeDefined();
    }
    expect(whose(await auth.getTokens(), { initial })).toMatch(/^initial/); // kept
    // The failure is not sticky: the next request tries again and gets through.
    server.set({ refreshFault: 'none' });
    await client.query(STUDENTS);
    expect(server.stats.refreshes).toBe(2);
  });
});

describe('attachTokenRefresh(instance, { refreshTimeoutMs }): a refresh past its deadline while 20 requests wait (issue 9 #5)', () => {
  it('rejects all 20 with TokenRefreshError after one refresh, sending none again with the dead token', async () => {
    const { server, outcomes } = await twentyHeldOnARefresh({ refreshTimeoutMs: 500 });
    // The hold is never released: the refresh hangs until its deadline.

    const results = await outcomes();

    expect(sentAfterRefresh(server).map((r) => r.operationName)).toEqual([]);
    expect(server.received.filter(isRefresh)).toHaveLength(1);
    for (const result of results) expect(isTokenRefreshError(result.error)).toBe(true);
  });
});

describe('attachTokenRefresh(instance): a refresh rejected while requests wait (issue 9, also seen)', () => {
  it('rejects every held request with SessionExpiredError and sends none of them, with or without a token', async () => {
    const { server, hold, outcomes } = await twentyHeldOnARefresh();
    server.set({ refreshFault: 'reject' });
    hold.release();

    const results = await outcomes();

    expect(sentAfterRefresh(server).map((r) => `${r.operationName} ${r.authorization ? 'with' : 'without'} a token`)).toEqual([]);
    for (const result of results) expect(isSessionExpiredError(result.error)).toBe(true);
  });
});

describe('session end is shared by the attachments of one MemoryTokenStore (issue 9)', () => {
  async function twoAttachments() {
    const server = await openServer();
    const initial = server.issueTokens();
    const store = new MemoryTokenStore({ accessToken: initial.accessToken, refreshToken: initial.refreshToken });
    const make = () => {
      const api = axios.create({ baseURL: server.url });
      const onSessionExpired = jest.fn();
      const auth = attachTokenRefresh(api, { tokens: store, onSessionExpired });
      return { api, auth, onSessionExpired, client: createGraphQLClient(api) };
    };
    return { server, store, a: make(), b: make() };
  }

  it("ends B's session when A's refresh is rejected: B's hook fires once, B's next request fails fast", async () => {
    const { server, a, b } = await twoAttachments();
    server.expireAccessTokens();
    server.set({ refreshFault: 'reject' });

    const error = await a.client.query(STUDENTS).catch((e) => e);
    expect(isSessionExpiredError(error)).toBe(true);
    await until(() => b.onSessionExpired.mock.calls.length > 0, "B's onSessionExpired never fired");
    const before = server.received.length;
    const bError = await b.client.query(STUDENTS).catch((e) => e);

    expect(isSessionExpiredError(bError)).toBe(true);
    expect(server.received.length).toBe(before); // failed fast, no request
    expect(b.onSessionExpired).toHaveBeenCalledTimes(1);
    expect(a.onSessionExpired).toHaveBeenCalledTimes(1);
  });

  it("ends B's session when A logs out with setTokens(null); A's own hook does not fire for its own logout", async () => {
    const { server, a, b } = await twoAttachments();
    await b.client.query(STUDENTS); // B is in a session

    await a.auth.setTokens(null);
    await until(() => b.onSessionExpired.mock.calls.length > 0, "B's onSessionExpired never fired");
    const before = server.received.length;
    const bError = await b.client.query(STUDENTS).catch((e) => e);

    expect(isSessionExpiredError(bError)).toBe(true);
    expect(server.received.length).toBe(before);
    expect(b.onSessionExpired).toHaveBeenCalledTimes(1);
    expect(a.onSessionExpired).not.toHaveBeenCalled();
  });

  it('revives B when A sets tokens again after the shared session ended', async () => {
    const { server, a, b } = await twoAttachments();
    await a.auth.setTokens(null);
    await until(() => b.onSessionExpired.mock.calls.length > 0, "B's onSessionExpired never fired");
    const fresh = server.issueTokens();

    await a.auth.setTokens(fresh);
    const data = await b.client.query(STUDENTS);

    expect(data.students).toHaveLength(3);
    expect(tokenOf(dataRequests(server).at(-1)!) === fresh.accessToken).toBe(true);
    expect(b.onSessionExpired).toHaveBeenCalledTimes(1);
  });
});
