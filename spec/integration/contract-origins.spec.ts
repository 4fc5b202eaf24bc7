import axios from 'axios';
import { attachTokenRefresh, createGraphQLClient, isTokenRefreshError, MemoryTokenStore } from '../../lib';
import { carrying, closeServers, isRefresh, openServer, outcome, tokenOf, whose } from '../support/contract';
import { waitFor } from '../support/events';
import { STUDENTS } from '../support/setup';

// A refresh token goes only to the GraphQL endpoint that issued it. A REST API on another origin
// sharing the token store joins (or asks for) the store's refresh, and its 401s never end the session
// by themselves (docs/how-it-works.md, "Where tokens go").

afterEach(closeServers);

describe('attachTokenRefresh(instance) on a REST API sharing a store with a GraphQL API', () => {
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
    const restAuth = attachTokenRefresh(restApi, { tokens: store, onSessionExpired: onRestExpired });
    if (warm) await createGraphQLClient(graphqlApi).query(STUDENTS);
    graphql.expireAccessTokens();
    return { graphql, rest, initial, store, graphqlApi, restApi, restAuth, onGraphQLExpired, onRestExpired };
  }

  it.each([
    ['after the GraphQL API has answered a query', true],
    ['before the GraphQL API has sent any request (baseURL is its endpoint)', false],
  ])(
    '%s: refreshes at the GraphQL endpoint, never sends the refresh token to the REST origin, and replays the REST request',
    async (_, warm) => {
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
      expect(sent.map((token) => (token === initial.accessToken ? 'old' : token === stored?.accessToken ? 'new' : 'other'))).toEqual([
        'old',
        'new',
      ]);
    },
  );

  it("waits behind the GraphQL API's refresh in flight instead of starting its own, then goes out with its result", async () => {
    const { graphql, rest, initial, store, graphqlApi, restApi, restAuth } = await sharedStore(true);
    const hold = graphql.hold(isRefresh);
    const query = outcome(createGraphQLClient(graphqlApi).query(STUDENTS));
    await hold.arrived;

    const restCall = outcome(restApi.get('/me'));
    await waitFor(() => restAuth.stats.queued >= 1, 'the REST request was never held behind the refresh in flight');
    hold.release();
    const [graphqlResult, restResult] = await Promise.all([query, restCall]);

    expect(graphqlResult.error?.message).toBeUndefined();
    expect(restResult.error?.message).toBeUndefined();
    expect(graphql.received.filter(isRefresh)).toHaveLength(1);
    expect(carrying(rest.received, initial.refreshToken)).toEqual([]);
    const stored = await store.get();
    expect(rest.received.filter((r) => r.url === '/rest/me').map((r) => (tokenOf(r) === stored?.accessToken ? 'new' : 'old'))).toEqual([
      'new',
    ]);
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
    const auth = attachTokenRefresh(restApi, {
      tokens: { accessToken: initial.accessToken, refreshToken: initial.refreshToken },
      onSessionExpired,
    });
    graphql.expireAccessTokens();

    const error = await restApi.get('/me').catch((e) => e);

    expect(carrying(rest.received, initial.refreshToken)).toEqual([]);
    expect(isTokenRefreshError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'REFRESH_MISCONFIGURED', transient: false }); // a configuration to fix, not a failure to wait out
    expect(onSessionExpired).not.toHaveBeenCalled();
    expect(whose(await auth.getTokens(), { initial })).toBe('initial');
  });
});
