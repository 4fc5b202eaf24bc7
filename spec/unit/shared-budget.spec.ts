import axios from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { attachTokenRefresh, createGraphQLClient, type RateBudgetAnswer, type RateBudgetRequest, type TokenStore } from '../../lib';
import { STUDENTS } from '../support/setup';

// A rate budget shared through the token store (`TokenStore.takeBudget`, docs/rate-limits.md,
// "sharing across processes") and what a process sends while that store fails: its share of the
// limit among the most processes the store said share it, never the whole limit unless it was
// alone. Each "process" is an attachment on a store object of its own; the stores share one model
// of Redis that a test can take down. Fake timers: every count is exact.

const WINDOW = 10_000;
const LIMIT = 9;

/**
 * One budget kept as RedisTokenStore keeps it (sends and sharers in the window), which a test can
 * take down. With `answered`, its grants say when the send was answered, and the send counts from then.
 */
function sharedModel({ answered = false } = {}) {
  const sends: Array<{ at: number }> = [];
  const asked = new Map<string, number>();
  const model = { down: false, calls: 0, failAfterMs: 0 };
  const answer = (id: string, { limit, windowMs }: RateBudgetRequest): RateBudgetAnswer => {
    const now = Date.now();
    sends.sort((x, y) => x.at - y.at);
    while (sends.length && sends[0]!.at <= now - windowMs) sends.shift();
    asked.set(id, now);
    const sharers = [...asked.values()].filter((at) => at > now - windowMs).length;
    if (sends.length >= limit) return { waitMs: sends[sends.length - limit]!.at + windowMs - now, sharers };
    const send = { at: now };
    sends.push(send);
    return answered ? { waitMs: 0, sharers, answered: () => void (send.at = Date.now()) } : { waitMs: 0, sharers };
  };
  const store = (id: string, plain = false): TokenStore => ({
    get: () => ({ accessToken: `token-${id}` }),
    set: () => {},
    takeBudget(request) {
      model.calls++;
      if (!model.down) return plain ? answer(id, request).waitMs : answer(id, request);
      const failure = Promise.reject(new Error('store unavailable'));
      return model.failAfterMs ? new Promise((_, reject) => setTimeout(() => failure.catch(reject), model.failAfterMs)) : failure;
    },
  });
  return { model, store };
}

/** Where every process's requests arrive, and when. */
const arrivals: Array<{ id: string; at: number }> = [];

/** `up(i)`: ms from the process's i-th send (0-based) to its arrival at the server; it answers 4 ms later. */
function processOn(store: TokenStore, id: string, up: (i: number) => number = () => 1) {
  const api = axios.create({ baseURL: 'https://api.example.test/' });
  let sent = 0;
  new MockAdapter(api).onPost('').reply(() => {
    const i = sent++;
    return new Promise((resolve) =>
      setTimeout(() => {
        arrivals.push({ id, at: Date.now() });
        setTimeout(() => resolve([200, { data: { students: [] } }]), 4);
      }, up(i)),
    );
  });
  attachTokenRefresh(api, { tokens: store, rateLimit: { intervalCap: LIMIT, interval: WINDOW } });
  const client = createGraphQLClient(api);
  let n = 0;
  return (count: number) => Promise.all(Array.from({ length: count }, () => client.query(STUDENTS, { limit: ++n })));
}

/** The most arrivals (of `id`, or of all) in any window of the server's clock: (t - WINDOW, t]. */
function mostInAWindow(id?: string, from = 0): number {
  const times = arrivals.filter((a) => (id === undefined || a.id === id) && a.at >= from).map((a) => a.at);
  return Math.max(0, ...times.map((t) => times.filter((u) => u > t - WINDOW && u <= t).length));
}

/** How many of the arrivals a fixed-window server would decline: a window opens at the first arrival after the last one ended. */
function declinedByFixedWindows(): number {
  let end = Number.NEGATIVE_INFINITY;
  let count = 0;
  let declined = 0;
  for (const at of arrivals.map((a) => a.at).sort((x, y) => x - y)) {
    if (at >= end) (end = at + WINDOW), (count = 0);
    if (++count > LIMIT) declined++;
  }
  return declined;
}

describe('rateLimit with a budget shared through the token store (takeBudget)', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
    arrivals.length = 0;
  });
  afterEach(() => jest.useRealTimers());

  /** Three processes that each asked the store twice while the others asked too: each has seen three share it. */
  async function threeProcesses(plain = false) {
    const shared = sharedModel();
    const [a, b, c] = ['a', 'b', 'c'].map((id) => processOn(shared.store(id, plain), id)) as [
      ReturnType<typeof processOn>,
      ReturnType<typeof processOn>,
      ReturnType<typeof processOn>,
    ];
    for (let round = 0; round < 2; round++) {
      const warm = Promise.all([a(1), b(1), c(1)]);
      await jest.advanceTimersByTimeAsync(50);
      await warm;
    }
    await jest.advanceTimersByTimeAsync(WINDOW + 1_000); // every warm-up send has left the window
    return { ...shared, a, b, c };
  }

  it('while the store fails, each process sends at most its share (9 among 3: 3 a window), and every request settles once', async () => {
    const { model, a, b, c } = await threeProcesses();
    model.down = true;
    const from = Date.now();
    const all = Promise.all([a(8), b(8), c(8)]);
    await jest.advanceTimersByTimeAsync(3 * WINDOW + 1_000);
    await expect(all).resolves.toEqual([expect.any(Array), expect.any(Array), expect.any(Array)]);
    for (const id of ['a', 'b', 'c']) {
      expect(arrivals.filter((x) => x.id === id && x.at >= from)).toHaveLength(8); // each sent once
      expect(mostInAWindow(id, from)).toBe(3);
    }
    expect(mostInAWindow(undefined, from)).toBeLessThanOrEqual(LIMIT);
  });

  it('a process the store said was alone keeps the whole limit while the store fails', async () => {
    const shared = sharedModel();
    const a = processOn(shared.store('a'), 'a');
    const warm = a(1);
    await jest.advanceTimersByTimeAsync(WINDOW + 1_000);
    await warm;
    shared.model.down = true;
    const from = Date.now();
    const burst = a(12);
    await jest.advanceTimersByTimeAsync(2 * WINDOW);
    await burst;
    expect(mostInAWindow('a', from)).toBe(LIMIT);
  });

  it('a store that never said how many share it (plain numbers) gets one send a window while it fails', async () => {
    const { model, a } = await threeProcesses(true);
    model.down = true;
    const from = Date.now();
    const burst = a(3);
    await jest.advanceTimersByTimeAsync(3 * WINDOW);
    await burst;
    expect(mostInAWindow('a', from)).toBe(1);
  });

  it('once the store answers again, the sends made without it are recorded there first: the others count them', async () => {
    const { model, a, b } = await threeProcesses();
    model.down = true;
    const from = Date.now();
    const fallback = a(3); // its share, sent without the store
    await jest.advanceTimersByTimeAsync(100);
    await fallback;
    model.down = false;
    await jest.advanceTimersByTimeAsync(1_500); // the process asks the store again a second after it failed
    const next = a(1);
    await jest.advanceTimersByTimeAsync(100);
    await next; // a is back on the store, without waiting out its share's window
    const others = b(9);
    await jest.advanceTimersByTimeAsync(2 * WINDOW);
    await others;
    expect(mostInAWindow(undefined, from)).toBeLessThanOrEqual(LIMIT);
  });

  it('a store that fails slowly holds the first send only: it is asked again in the background, not before each send', async () => {
    const { model, a } = await threeProcesses();
    model.down = true;
    model.failAfterMs = 2_000; // a stalled Redis, as long as the store's command deadline
    const start = Date.now();
    const calls = model.calls;
    const burst = a(3);
    await jest.advanceTimersByTimeAsync(2_100);
    const atFirstFailure = arrivals.filter((x) => x.at >= start).map((x) => x.at - start);
    expect(atFirstFailure).toHaveLength(3); // the whole share left once the first ask failed
    expect(Math.max(...atFirstFailure)).toBeLessThan(2_100);
    await burst;
    await jest.advanceTimersByTimeAsync(WINDOW);
    expect(model.calls - calls).toBeLessThanOrEqual(1 + Math.ceil((2_100 + WINDOW) / 1_000)); // at most one ask a second
  });

  it('tells the store when each send was answered: a send slow to arrive shares no server window with sends granted a window later', async () => {
    // A's sends take 60 ms to reach the server (a cold connection), B's 1 ms. The server's window
    // opens at A's first arrival; B, who never sent before, has no round trip of its own to go by:
    // counted from their grants, A's sends would leave room for B's 60 ms too early.
    const shared = sharedModel({ answered: true });
    const a = processOn(shared.store('a'), 'a', (i) => (i < LIMIT ? 60 : 1));
    const b = processOn(shared.store('b'), 'b');
    const first = a(LIMIT);
    await jest.advanceTimersByTimeAsync(100);
    const second = b(LIMIT);
    await jest.advanceTimersByTimeAsync(3 * WINDOW);
    await Promise.all([first, second]);
    expect(arrivals).toHaveLength(2 * LIMIT);
    expect(declinedByFixedWindows()).toBe(0);
  });
});
