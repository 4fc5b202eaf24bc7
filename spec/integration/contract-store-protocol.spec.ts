import axios from 'axios';
import type { TokenSet, TokenStore } from '../../lib';
import { attachTokenRefresh, createGraphQLClient, isSessionExpiredError } from '../../lib';
import { closeServers, dataRequests, isRefresh, openServer, outcome, tokenOf } from '../support/contract';
import { waitFor } from '../support/events';
import type { TestServer } from '../support/graphql-server';
import { STUDENTS } from '../support/setup';

// Conditional token writes and the shared session end (docs/how-it-works.md, "One store, one
// session"), through the TokenStore protocol with stores of the user's own: a plain async store (no compareAndSet: the plugin compares in-process), a store whose
// compareAndSet sees writes made "elsewhere" (another process), and a store that reports changes
// made elsewhere with subscribe().

afterEach(closeServers);

type Tokens = { accessToken: string; refreshToken: string };

/** A store whose value another process may change (`elsewhere`); async like a network store. */
function sharedStore(initial: TokenSet | null, { cas, subscribe }: { cas: boolean; subscribe: boolean }) {
  let value: TokenSet | null = initial;
  const listeners = new Set<(tokens: TokenSet | null) => void>();
  const casCalls: Array<{ expected: string; next: string; wrote: boolean }> = [];
  const same = (a: TokenSet | null, b: TokenSet | null) =>
    a === b || (!!a && !!b && a.accessToken === b.accessToken && a.refreshToken === b.refreshToken);
  const store: TokenStore = {
    get: async () => (value ? { ...value } : null),
    set: async (tokens) => {
      value = tokens ? { ...tokens } : null;
    },
  };
  if (cas) {
    store.compareAndSet = async (expected, next) => {
      const wrote = same(value, expected);
      if (wrote) value = next ? { ...next } : null;
      casCalls.push({ expected: expected ? 'tokens' : 'empty', next: next ? 'tokens' : 'empty', wrote });
      return wrote;
    };
  }
  if (subscribe) {
    store.subscribe = (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    };
  }
  return {
    store,
    casCalls,
    current: () => value,
    /** Another process writes (and, with subscribe, the store reports it). */
    elsewhere(tokens: TokenSet | null) {
      value = tokens ? { ...tokens } : null;
      for (const listener of listeners) listener(tokens ? { ...tokens } : null);
    },
  };
}

function attach(server: TestServer, store: TokenStore) {
  const api = axios.create({ baseURL: server.url });
  const onSessionExpired = jest.fn();
  const auth = attachTokenRefresh(api, { tokens: store, onSessionExpired });
  return { api, auth, onSessionExpired, client: createGraphQLClient(api) };
}

const name = (token: string | undefined, owners: Record<string, Tokens>) =>
  Object.entries(owners).find(([, t]) => t.accessToken === token)?.[0] ?? (token ? 'other' : 'none');

/** Holds alice's refresh at the server, runs `during`, then lets the refresh answer (or be rejected). */
async function duringHeldRefresh(
  server: TestServer,
  client: ReturnType<typeof attach>['client'],
  during: () => Promise<void> | void,
  answer: 'tokens' | 'rejected' = 'tokens',
) {
  server.expireAccessTokens();
  const hold = server.hold(isRefresh);
  const first = outcome(client.query(STUDENTS));
  await hold.arrived;
  await during();
  if (answer === 'rejected') server.set({ refreshFault: 'reject' });
  hold.release();
  return first;
}

describe('TokenStore without compareAndSet: the plugin compares in-process', () => {
  it("keeps bob's tokens set with handle.setTokens(bob) while alice's refresh runs", async () => {
    const server = await openServer();
    const alice = server.issueTokens();
    const shared = sharedStore(alice, { cas: false, subscribe: false });
    const { client, auth } = attach(server, shared.store);
    let bob!: Tokens;

    const first = await duringHeldRefresh(server, client, async () => {
      bob = server.issueTokens();
      await auth.setTokens(bob);
    });

    expect(name(shared.current()?.accessToken, { alice, bob })).toBe('bob');
    expect(first.error?.message).toBeUndefined();
    expect(dataRequests(server).map((r) => name(tokenOf(r), { alice, bob }))).toEqual(['alice', 'bob']);
  });
});

describe('TokenStore with compareAndSet: a write made elsewhere wins over an older flight', () => {
  it("discards alice's refresh result when another process stored carol's tokens meanwhile; requests continue as carol", async () => {
    const server = await openServer();
    const alice = server.issueTokens();
    const shared = sharedStore(alice, { cas: true, subscribe: false });
    const { client } = attach(server, shared.store);
    let carol!: Tokens;

    const first = await duringHeldRefresh(server, client, () => {
      carol = server.issueTokens();
      shared.elsewhere(carol);
    });

    expect(shared.casCalls.some((c) => c.next === 'tokens' && !c.wrote)).toBe(true); // the flight tried, and lost
    expect(name(shared.current()?.accessToken, { alice, carol })).toBe('carol');
    expect(first.error?.message).toBeUndefined();
    await client.query(STUDENTS);
    expect(dataRequests(server).map((r) => name(tokenOf(r), { alice, carol }))).toEqual(['alice', 'carol', 'carol']);
  });

  it("does not end the session when alice's refresh is rejected after another process stored carol's tokens", async () => {
    const server = await openServer();
    const alice = server.issueTokens();
    const shared = sharedStore(alice, { cas: true, subscribe: false });
    const { client, onSessionExpired } = attach(server, shared.store);
    let carol!: Tokens;

    const first = await duringHeldRefresh(
      server,
      client,
      () => {
        carol = server.issueTokens();
        shared.elsewhere(carol);
      },
      'rejected',
    );

    expect(name(shared.current()?.accessToken, { alice, carol })).toBe('carol');
    expect(onSessionExpired).not.toHaveBeenCalled();
    expect(first.error?.message).toBeUndefined();
  });
});

describe('TokenStore with subscribe: a session ended elsewhere ends here', () => {
  it('fires onSessionExpired once when the store reports null, fails fast without a request, and adopts tokens reported later', async () => {
    const server = await openServer();
    const alice = server.issueTokens();
    const shared = sharedStore(alice, { cas: true, subscribe: true });
    const { client, onSessionExpired } = attach(server, shared.store);
    await client.query(STUDENTS);

    shared.elsewhere(null);
    await waitFor(() => onSessionExpired.mock.calls.length > 0, 'onSessionExpired never fired after the store reported null');
    const before = server.received.length;
    const error = await client.query(STUDENTS).catch((e) => e);

    expect(isSessionExpiredError(error)).toBe(true);
    expect(server.received.length).toBe(before);
    expect(onSessionExpired).toHaveBeenCalledTimes(1);

    const dave = server.issueTokens();
    shared.elsewhere(dave);
    await client.query(STUDENTS);
    expect(name(tokenOf(dataRequests(server).at(-1)!), { alice, dave })).toBe('dave');
    expect(onSessionExpired).toHaveBeenCalledTimes(1);
  });

  it('adopts tokens reported by the store at once (the next request carries them, no refresh)', async () => {
    const server = await openServer();
    const alice = server.issueTokens();
    const shared = sharedStore(alice, { cas: true, subscribe: true });
    const { client } = attach(server, shared.store);
    await client.query(STUDENTS);

    const erin = server.issueTokens();
    shared.elsewhere(erin);
    await client.query(STUDENTS);

    expect(dataRequests(server).map((r) => name(tokenOf(r), { alice, erin }))).toEqual(['alice', 'erin']);
    expect(server.stats.refreshes).toBe(0);
  });
});
