import { attachTo, closeServers, dataRequests, isRefresh, openServer, outcome, tokenOf, whose } from '../support/contract';
import { deferred, waitFor, within } from '../support/events';
import { STUDENTS } from '../support/setup';

// Token writes are conditional (docs/how-it-works.md, "one store, one session"): a refresh or login
// started from tokens the caller has replaced since (`setTokens`) no longer decides anything. Its
// waiters continue with what the store holds now, whatever the old flight does next (succeed, be
// rejected, fail transiently, hang until `refreshTimeoutMs`), and a request made after `setTokens`
// resolved never waits for it.

afterEach(closeServers);

/** Names each data request the server received by the tokens it carried. */
const sentAs = (server: Parameters<typeof dataRequests>[0], owners: Record<string, { accessToken: string }>) =>
  dataRequests(server).map((r) => Object.entries(owners).find(([, t]) => t.accessToken === tokenOf(r))?.[0] ?? 'other');

describe('handle.setTokens(bob) while a refresh of older tokens is in flight', () => {
  it.each(['http500', 'hang'] as const)(
    'every waiter continues as bob, and a request made after it never waits, when the old refresh then fails (%s)',
    async (fault) => {
      const server = await openServer();
      // A long deadline: a request that waited for the hanging refresh would wait 10 s.
      const alice = attachTo(server, { refreshTimeoutMs: 10_000, retry: false });
      server.expireAccessTokens();
      const hold = fault === 'http500' ? server.hold(isRefresh) : undefined;
      if (fault === 'hang') server.set({ refreshFault: 'hang' });
      const first = outcome(alice.client.query(STUDENTS));
      await (hold ? hold.arrived : waitFor(() => server.received.some(isRefresh), 'the refresh never reached the server'));
      const held = Array.from({ length: 3 }, () => outcome(alice.client.query(STUDENTS)));
      await waitFor(() => alice.auth.stats.queued >= 3, 'the 3 later requests were never held at the gate');

      const bob = server.issueTokens();
      await alice.auth.setTokens(bob);
      // Made after setTokens resolved, while the old refresh is still held (or hanging): answered at once.
      const after = await within(
        outcome(alice.client.query(STUDENTS)),
        'a request made after setTokens(bob) waited for the old refresh',
        5_000,
      );
      expect(after.error?.message).toBeUndefined();
      // The waiters did not wait for the old refresh either.
      const results = await within(Promise.all([first, ...held]), 'the waiters of the old refresh waited for it to fail', 5_000);
      if (hold) {
        server.set({ refreshFault: 'http500' });
        hold.release();
      }

      for (const result of results) expect(result.error?.message).toBeUndefined();
      expect(sentAs(server, { alice: alice.initial, bob })).toEqual(['alice', ...Array(5).fill('bob')]);
      expect(whose(await alice.auth.getTokens(), { alice: alice.initial, bob })).toBe('bob');
    },
  );

  it('lets the waiters continue with what the store holds now: setTokens(bob) then setTokens(null) in one tick ends their session, nothing is sent as bob', async () => {
    const server = await openServer();
    const alice = attachTo(server, { retry: false });
    server.expireAccessTokens();
    const hold = server.hold(isRefresh);
    const first = outcome(alice.client.query(STUDENTS));
    await hold.arrived;
    const bob = server.issueTokens();
    const setBob = alice.auth.setTokens(bob);
    await alice.auth.setTokens(null);
    await setBob;
    const result = await within(first, 'the waiter of the old refresh waited for it');
    hold.release();

    expect(result.error?.name).toBe('SessionExpiredError');
    expect(sentAs(server, { alice: alice.initial, bob })).toEqual(['alice']);
    expect(await alice.auth.getTokens()).toBeNull();
  });

  it('starts a refresh of bob only once the old refresh has ended: never two refreshes at once', async () => {
    const server = await openServer();
    const logs: string[] = [];
    const alice = attachTo(server, { retry: false, maxReplays: 2, logger: { debug: (message) => logs.push(message) } });
    server.expireAccessTokens();
    const hold = server.hold(isRefresh);
    const first = outcome(alice.client.query(STUDENTS));
    await hold.arrived;
    const bob = server.issueTokens();
    await alice.auth.setTokens(bob);
    server.expireAccessTokens(); // bob's access token dies too: bob must be refreshed
    const second = outcome(alice.client.query(STUDENTS));
    await waitFor(() => logs.some((m) => m.includes('waits for the one superseded')), 'the refresh of bob did not wait for the old one');
    expect(hold.count).toBe(1); // bob's refresh has not reached the server while alice's is held there
    hold.release();
    const results = await Promise.all([first, second]);
    for (const result of results) expect(result.error?.message).toBeUndefined();
    expect(server.stats.refreshes).toBe(2);
  });
});

describe('options.onSessionExpired that restores the session with setTokens()', () => {
  it('sends a request made right after `await auth.setTokens(valid)` in the hook, with the new tokens', async () => {
    const server = await openServer();
    const restored = deferred<{ value?: unknown; error?: any }>();
    let fresh = { accessToken: '', refreshToken: '' };
    const alice = attachTo(server, {
      onSessionExpired: () => {
        void (async () => {
          await alice.auth.setTokens(fresh);
          restored.resolve(await outcome(alice.client.query(STUDENTS)));
        })();
      },
    });
    server.expireAccessTokens();
    server.revokeRefreshTokens();
    fresh = server.issueTokens(); // valid: a new login, as the hook would do
    const first = await outcome(alice.client.query(STUDENTS));
    expect(first.error?.name).toBe('SessionExpiredError');

    const result = await within(restored.promise, 'the hook never finished');
    expect(result.error?.message).toBeUndefined();
    expect(tokenOf(dataRequests(server).at(-1)!)).toBe(fresh.accessToken);
    expect(whose(await alice.auth.getTokens(), { fresh })).toBe('fresh');
  });
});
