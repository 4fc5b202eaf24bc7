import diagnosticsChannel from 'node:diagnostics_channel';
import axios from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { attachTokenRefresh, createGraphQLClient, type RateLimitOptions } from '../../lib';
import { STUDENTS } from '../support/setup';

// A request held about a second or more by a rate limit is announced once — the logger, the
// `rate-limited` diagnostics event with the wait expected, `stats.paced` — and counted in
// `stats.waiting` while it waits, so that a long wait never looks like a hang
// (docs/rate-limits.md, "watching waits"). Fake timers make the waits exact.

const CHANNEL = 'axios-graphql-refresh:rate-limited';

function setup(
  rateLimit: RateLimitOptions | false,
  answer: () => [number, unknown, Record<string, string>?] = () => [200, { data: { students: [] } }],
) {
  const api = axios.create({ baseURL: 'https://api.example.test/' });
  new MockAdapter(api).onPost('').reply(answer);
  const logged: Array<{ message: string; meta?: { delayMs?: number } }> = [];
  const auth = attachTokenRefresh(api, {
    tokens: { accessToken: 'a' },
    rateLimit,
    logger: { debug: (message, meta) => logged.push({ message, meta: meta as { delayMs?: number } }) },
  });
  const events: Array<{ reason: string; delayMs: number }> = [];
  const listener = (m: unknown) => events.push(m as { reason: string; delayMs: number });
  diagnosticsChannel.subscribe(CHANNEL, listener);
  const waits = () => logged.filter((l) => /waits for the rate limit/.test(l.message));
  return {
    auth,
    client: createGraphQLClient(api, { coalesce: false }),
    events,
    waits,
    stop: () => diagnosticsChannel.unsubscribe(CHANNEL, listener),
  };
}

describe('attachTokenRefresh(instance, { rateLimit }): long waits are announced', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('announces each request that waits 5 s for the budget, once, with the wait expected, and counts what waits', async () => {
    const s = setup({ intervalCap: 2, interval: 5_000 });
    try {
      const all = Promise.all(Array.from({ length: 5 }, () => s.client.query(STUDENTS)));
      await jest.advanceTimersByTimeAsync(10);
      expect(s.auth.stats).toMatchObject({ waiting: 3, paced: 3 });
      expect(s.waits()).toHaveLength(3);
      expect(s.events.map((e) => e.reason)).toEqual(['paced', 'paced', 'paced']);
      for (const e of s.events) expect(e.delayMs).toBeGreaterThanOrEqual(4_900);
      await jest.advanceTimersByTimeAsync(20_000);
      await expect(all).resolves.toHaveLength(5);
      expect(s.auth.stats).toMatchObject({ waiting: 0, paced: 3 });
      expect(s.waits()).toHaveLength(3); // once each, however long
    } finally {
      s.stop();
    }
  });

  it('says nothing of a wait under a second', async () => {
    const s = setup({ intervalCap: 2, interval: 500 });
    try {
      const all = Promise.all(Array.from({ length: 4 }, () => s.client.query(STUDENTS)));
      await jest.advanceTimersByTimeAsync(2_000);
      await expect(all).resolves.toHaveLength(4);
      expect(s.auth.stats.paced).toBe(0);
      expect([s.waits(), s.events]).toEqual([[], []]);
    } finally {
      s.stop();
    }
  });

  it('announces requests held at the gate by a long Retry-After, without pacing', async () => {
    let declined = false;
    const s = setup(false, () =>
      declined
        ? [200, { data: { students: [] } }]
        : ((declined = true), [429, { errors: [{ message: 'Too many requests' }] }, { 'retry-after': '3' }]),
    );
    try {
      const first = s.client.query(STUDENTS);
      await jest.advanceTimersByTimeAsync(10);
      const others = Promise.all(Array.from({ length: 2 }, () => s.client.query(STUDENTS)));
      await jest.advanceTimersByTimeAsync(10);
      expect(s.auth.stats).toMatchObject({ rateLimited: 1, waiting: 3, paced: 2 }); // the declined one waits too
      expect(s.events.map((e) => e.reason)).toEqual(['declined', 'paced', 'paced']);
      await jest.advanceTimersByTimeAsync(3_500);
      await expect(Promise.all([first, others])).resolves.toHaveLength(2);
      expect(s.auth.stats.waiting).toBe(0);
    } finally {
      s.stop();
    }
  });
});
