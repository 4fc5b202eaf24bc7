import axios from 'axios';
import { attachTokenRefresh, createGraphQLClient, isSessionExpiredError, isTokenRefreshError, MemoryTokenStore } from '../../lib';
import { attachTo, closeServers, dataRequests, isRefresh, openServer, outcome, tokenOf, whose } from '../support/contract';
import { deferred, waitFor } from '../support/events';
import type { ReceivedRequest, TestServer } from '../support/graphql-server';
import { STUDENTS } from '../support/setup';

// What a flight may write, and how a session ends, with several attachments and a caller acting
// mid-flight (docs/how-it-works.md, "One store, one session" and "When the refresh fails").

afterEach(closeServers);

describe('handle.setTokens() while a refresh is in flight', () => {
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
    const sent = dataRequests(server).map((r) =>
      tokenOf(r) === initial.accessToken ? 'alice' : tokenOf(r) === bob.accessToken ? 'bob' : 'other',
    );
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
    await waitFor(() => alice.auth.stats.queued >= 5, 'the 5 later requests were never held at the gate');
    const bob = server.issueTokens();
    await alice.auth.setTokens(bob);
    hold.release();

    const results = await Promise.all([first, ...held]);

    for (const result of results) expect(result.error?.message).toBeUndefined();
    const sent = dataRequests(server).map((r) =>
      tokenOf(r) === alice.initial.accessToken ? 'alice' : tokenOf(r) === bob.accessToken ? 'bob' : 'other',
    );
    expect(sent).toEqual(['alice', ...Array(6).fill('bob')]);
  });

  it("keeps bob's tokens when a login (options.login) started before setTokens(bob) answers after it", async () => {
    const server = await openServer();
    const loginStarted = deferred();
    const loginAnswer = deferred<{ accessToken: string; refreshToken: string }>();
    const api = axios.create({ baseURL: server.url });
    const auth = attachTokenRefresh(api, {
      login: async () => {
        loginStarted.resolve();
        return loginAnswer.promise;
      },
    });
    const client = createGraphQLClient(api);

    const first = outcome(client.query(STUDENTS)); // no tokens: logs in first
    await loginStarted.promise;
    const bob = server.issueTokens();
    await auth.setTokens(bob);
    const carol = server.issueTokens();
    loginAnswer.resolve(carol);
    const result = await first;

    expect(whose(await auth.getTokens(), { bob, carol })).toBe('bob');
    expect(result.error?.message).toBeUndefined();
    expect(
      dataRequests(server).map((r) => (tokenOf(r) === bob.accessToken ? 'bob' : tokenOf(r) === carol.accessToken ? 'carol' : 'other')),
    ).toEqual(['bob']);
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
  await waitFor(() => attached.auth.stats.queued >= 19, 'the 19 later requests were never held at the gate');
  return { hold, ...attached, outcomes: () => Promise.all([first, ...others]) };
}

/** Data requests the server received after the first refresh arrived (the one the test held and failed). */
function sentAfterRefresh(server: TestServer): ReceivedRequest[] {
  const first = server.received.findIndex(isRefresh);
  return server.received.slice(first + 1).filter((r) => !isRefresh(r));
}

describe('attachTokenRefresh(instance): a refresh failing transiently while 20 requests wait', () => {
  it.each(['http500', 'network'] as const)(
    'rejects all 20 with TokenRefreshError (cause set) after one refresh (%s), sending none again with the dead token',
    async (fault) => {
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
    },
  );
});

describe('attachTokenRefresh(instance, { refreshTimeoutMs }): a refresh past its deadline while 20 requests wait', () => {
  it('rejects all 20 with TokenRefreshError after one refresh, sending none again with the dead token', async () => {
    const { server, outcomes } = await twentyHeldOnARefresh({ refreshTimeoutMs: 500 });
    // The hold is never released: the refresh hangs until its deadline.

    const results = await outcomes();

    expect(sentAfterRefresh(server).map((r) => r.operationName)).toEqual([]);
    expect(server.received.filter(isRefresh)).toHaveLength(1);
    for (const result of results) expect(isTokenRefreshError(result.error)).toBe(true);
  });
});

describe('attachTokenRefresh(instance): a refresh rejected while requests wait', () => {
  it('rejects every held request with SessionExpiredError and sends none of them, with or without a token', async () => {
    const { server, hold, outcomes } = await twentyHeldOnARefresh();
    server.set({ refreshFault: 'reject' });
    hold.release();

    const results = await outcomes();

    expect(sentAfterRefresh(server).map((r) => `${r.operationName} ${r.authorization ? 'with' : 'without'} a token`)).toEqual([]);
    for (const result of results) expect(isSessionExpiredError(result.error)).toBe(true);
  });
});

describe('session end is shared by the attachments of one MemoryTokenStore', () => {
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
    await waitFor(() => b.onSessionExpired.mock.calls.length > 0, "B's onSessionExpired never fired");
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
    await waitFor(() => b.onSessionExpired.mock.calls.length > 0, "B's onSessionExpired never fired");
    const before = server.received.length;
    const bError = await b.client.query(STUDENTS).catch((e) => e);

    expect(isSessionExpiredError(bError)).toBe(true);
    expect(server.received.length).toBe(before);
    expect(b.onSessionExpired).toHaveBeenCalledTimes(1);
    expect(a.onSessionExpired).not.toHaveBeenCalled();
  });

  it('does not call the hook of an attachment that was detached (beyond the brief)', async () => {
    const { a, b } = await twoAttachments();
    b.auth.detach();

    await a.auth.setTokens(null);
    await a.auth.setTokens(null); // a second, idle turn for any announcement in flight

    expect(b.onSessionExpired).not.toHaveBeenCalled();
  });

  it('revives B when A sets tokens again after the shared session ended', async () => {
    const { server, a, b } = await twoAttachments();
    await a.auth.setTokens(null);
    await waitFor(() => b.onSessionExpired.mock.calls.length > 0, "B's onSessionExpired never fired");
    const fresh = server.issueTokens();

    await a.auth.setTokens(fresh);
    const data = await b.client.query(STUDENTS);

    expect(data.students).toHaveLength(3);
    expect(tokenOf(dataRequests(server).at(-1)!) === fresh.accessToken).toBe(true);
    expect(b.onSessionExpired).toHaveBeenCalledTimes(1);
  });
});
