import axios, { type AxiosAdapter } from 'axios';
import { attachTokenRefresh } from '../../lib';
import { answered, aTurn, mayGoNow, PER_TURN } from '../../lib/util/turns';
import { ok, QUERY } from '../support/fixtures';

// Herds leave a slice per turn of the event loop (lib/util/turns.ts, docs/how-it-works.md "herds"):
// what each turn sends is counted by a setImmediate chain (a turn ends where it runs), not by time.

const counters: Array<{ stop(): void }> = [];
afterEach(() => counters.splice(0).forEach((c) => c.stop()));

/** Numbers the turns of the event loop until the test ends: `now()` is the current turn's number. */
function turnCounter() {
  let turn = 0;
  let running = true;
  const tick = () => {
    turn++;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  const counter = { now: () => turn, stop: () => (running = false) };
  counters.push(counter);
  return counter;
}

const perTurn = (turns: number[]) =>
  Math.max(...Object.values(turns.reduce<Record<number, number>>((acc, t) => ((acc[t] = (acc[t] ?? 0) + 1), acc), {})));
const TOKENS = { accessToken: 'tok', refreshToken: 'r1', expiresAt: Date.now() + 3_600_000 };

describe('a herd leaves a slice per turn', () => {
  it(`sends a burst of 300 at most ${PER_TURN} per turn, and answers all 300 (bare axios sends all in one turn)`, async () => {
    const turns = turnCounter();
    const sent: number[] = [];
    const adapter: AxiosAdapter = (config) => (
      sent.push(turns.now()), new Promise((resolve) => setImmediate(() => resolve(ok(config, { data: { ok: true } }))))
    );
    const api = axios.create({ baseURL: 'https://api.example.test/graphql', adapter });
    attachTokenRefresh(api, { url: 'https://api.example.test/graphql', tokens: { ...TOKENS } });
    const answers = await Promise.all(Array.from({ length: 300 }, () => api.post('', QUERY)));
    expect(answers.every((a) => a.data.data.ok === true)).toBe(true);
    expect(sent).toHaveLength(300);
    expect(perTurn(sent)).toBeLessThanOrEqual(PER_TURN);

    const bareSent: number[] = [];
    const bare = axios.create({ adapter: ((config) => (bareSent.push(turns.now()), Promise.resolve(ok(config, {})))) as AxiosAdapter });
    await Promise.all(Array.from({ length: 300 }, () => bare.post('https://api.example.test/graphql', QUERY)));
    expect(perTurn(bareSent)).toBe(300); // the canary: the counter can see a whole burst in one turn
  });

  it(`releases the replays of one refresh at most ${PER_TURN} per turn: one refresh, all 300 answered with the new token`, async () => {
    const turns = turnCounter();
    const replays: number[] = [];
    let refreshes = 0;
    const adapter: AxiosAdapter = (config) => {
      const body = JSON.parse(config.data);
      const later = (data: unknown) => new Promise<ReturnType<typeof ok>>((resolve) => setImmediate(() => resolve(ok(config, data))));
      if (body.operationName === 'RefreshToken')
        return (refreshes++, later(JSON.stringify({ data: { refreshToken: { accessToken: 'new', expiresIn: 900 } } })));
      if (config.headers.Authorization === 'Bearer new') return (replays.push(turns.now()), later({ data: { ok: 'new' } }));
      return later({ errors: [{ message: 'Authentication required', extensions: { code: 'UNAUTHENTICATED' } }] });
    };
    const api = axios.create({ baseURL: 'https://api.example.test/graphql', adapter });
    attachTokenRefresh(api, { url: 'https://api.example.test/graphql', tokens: { accessToken: 'old', refreshToken: 'r1' } });
    // All 300 leave with the old token before the first answer comes back (the adapter answers a turn later, the slices are PER_TURN).
    const answers = await Promise.all(Array.from({ length: 300 }, () => api.post('', QUERY)));
    expect(refreshes).toBe(1);
    expect(answers.every((a) => a.data.data.ok === 'new')).toBe(true);
    expect(replays.length).toBeGreaterThan(PER_TURN);
    expect(perTurn(replays)).toBeLessThanOrEqual(PER_TURN);
  });

  it(`never makes callers one or ${PER_TURN} at a time wait when their requests are answered in the turn they leave`, async () => {
    let turnsPassed = 0;
    setImmediate(() => turnsPassed++);
    const adapter: AxiosAdapter = async (config) => ok(config, { data: { ok: true } });
    const api = axios.create({ baseURL: 'https://api.example.test/graphql', adapter });
    attachTokenRefresh(api, { url: 'https://api.example.test/graphql', tokens: { ...TOKENS } });
    for (let i = 0; i < 3 * PER_TURN; i++) await api.post('', QUERY);
    for (let i = 0; i < 6; i++) await Promise.all(Array.from({ length: PER_TURN }, () => api.post('', QUERY)));
    expect(turnsPassed).toBe(0); // all 9 × PER_TURN requests in the turn they started in
    await new Promise((resolve) => setImmediate(resolve));
  });
});

describe('the turn scheduler under fake timers', () => {
  afterEach(async () => {
    jest.useRealTimers();
    await new Promise((resolve) => setImmediate(resolve)); // a clean turn for the next test
  });

  const spendTheTurn = () => {
    const taken: Array<number | undefined> = [];
    while (taken.length < PER_TURN) taken.push(mayGoNow());
    expect(taken.every((t) => t !== undefined)).toBe(true);
    expect(mayGoNow()).toBeUndefined();
    return taken;
  };

  it.each([
    ['modern', {}],
    ['legacy', { legacyFakeTimers: true }],
  ])(
    "gives the next turn without advancing %s fake timers (a user test never hangs once a turn's share is spent)",
    async (_kind, config) => {
      await new Promise((resolve) => setImmediate(resolve));
      jest.useFakeTimers(config);
      spendTheTurn();
      await expect(aTurn()).resolves.toEqual(expect.any(Number));
    },
  );

  it('slices nothing when fake timers leave no way to a next turn (no MessageChannel either, as in some DOM test environments)', async () => {
    await new Promise((resolve) => setImmediate(resolve));
    const Channel = globalThis.MessageChannel;
    jest.useFakeTimers();
    try {
      delete (globalThis as { MessageChannel?: unknown }).MessageChannel;
      const taken = Array.from({ length: 3 * PER_TURN }, () => mayGoNow());
      expect(taken.every((t) => t !== undefined)).toBe(true);
      await expect(aTurn()).resolves.toEqual(expect.any(Number));
    } finally {
      globalThis.MessageChannel = Channel;
    }
  });

  it('frees a place answered in the turn it was taken in, and only then', async () => {
    await new Promise((resolve) => setImmediate(resolve));
    const taken = spendTheTurn();
    answered(taken[0]);
    expect(mayGoNow()).toBeDefined();
    const next = await aTurn(); // a later turn: the old places do not count there
    answered(taken[1]);
    const inNext: Array<number | undefined> = [];
    while (inNext.length < PER_TURN - 1) inNext.push(mayGoNow());
    expect(inNext.every((t) => t === next)).toBe(true);
    expect(mayGoNow()).toBeUndefined();
  });
});
