import axios from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { attachTokenRefresh, createGraphQLClient } from '../../lib';
import { STUDENTS } from '../support/setup';

// `rateLimit` must keep the client under a server that counts in FIXED windows, whatever the
// window's phase and whatever the latency of each request (docs/rate-limits.md, "pacing"). The
// server here is a model driven by fake timers, so every outcome is exact: it counts a request when
// it arrives (`up` ms after the client sent it), in a window that starts at the first arrival after
// the previous one ended (as NextSchool and the sandbox do), and answers `down` ms later —
// `RATE_LIMITED` beyond the cap.

interface Model {
  cap: number;
  windowMs: number;
  /** Milliseconds from the client's send to the server's count, per request (0-based). */
  up: (i: number) => number;
  down?: number;
}

function fixedWindowServer(model: Model) {
  const api = axios.create({ baseURL: 'https://api.example.test/' });
  const mock = new MockAdapter(api);
  let windowEnd = Number.NEGATIVE_INFINITY;
  let count = 0;
  let sent = 0;
  const seen = { arrivals: 0, declined: 0 };
  mock.onPost('').reply(() => {
    const i = sent++;
    return new Promise((resolve) => {
      setTimeout(() => {
        const now = Date.now();
        if (now >= windowEnd) (windowEnd = now + model.windowMs), (count = 0);
        seen.arrivals++;
        const declined = ++count > model.cap;
        if (declined) seen.declined++;
        const retryAfter = Math.max(1, Math.ceil((windowEnd - now) / 1000));
        const body = declined
          ? { errors: [{ message: 'Too many requests. Please slow down.', extensions: { code: 'RATE_LIMITED', retryAfter } }] }
          : { data: { students: [{ id: i, fullName: 'x' }] } };
        setTimeout(() => resolve([200, body]), model.down ?? 1);
      }, model.up(i));
    });
  });
  return { api, seen };
}

describe('attachTokenRefresh(instance, { rateLimit }): under a fixed-window server', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('is never declined when the first requests are slower than the next ones (the server window starts late)', async () => {
    // The first ten take 60 ms to arrive (new connections, a cold server); later ones 1 ms. A client
    // window that restarts 400 ms after its first send would send ten more at 400 ms, which arrive
    // at 401 ms: inside the server's window, which opened at 60 ms.
    const server = fixedWindowServer({ cap: 10, windowMs: 400, up: (i) => (i < 10 ? 60 : 1) });
    attachTokenRefresh(server.api, { tokens: { accessToken: 'a' }, rateLimit: { intervalCap: 10, interval: 400 } });
    const client = createGraphQLClient(server.api, { coalesce: false });
    const all = Promise.all(Array.from({ length: 30 }, () => client.query(STUDENTS)));
    await jest.advanceTimersByTimeAsync(5_000);
    await expect(all).resolves.toHaveLength(30);
    expect(server.seen).toEqual({ arrivals: 30, declined: 0 });
  });

  it('is never declined whatever the phase of the server window (opened by someone else, before the client sent anything)', async () => {
    // Someone else's request opens the server's window at 1 ms. The client sends 5 at 300 ms and 15
    // at 450 ms: the server's second window opens at 451 ms with the client's. A client window that
    // started at its own first send (300 ms) would send 10 more at 700 ms, inside the server's window.
    const server = fixedWindowServer({ cap: 10, windowMs: 400, up: () => 1 });
    const outsider = axios.create({ baseURL: 'https://api.example.test/', adapter: server.api.defaults.adapter });
    void outsider.post('', { query: '{ a }' });
    attachTokenRefresh(server.api, { tokens: { accessToken: 'a' }, rateLimit: { intervalCap: 10, interval: 400 } });
    const client = createGraphQLClient(server.api, { coalesce: false });
    await jest.advanceTimersByTimeAsync(300);
    const early = Promise.all(Array.from({ length: 5 }, () => client.query(STUDENTS)));
    await jest.advanceTimersByTimeAsync(150);
    const late = Promise.all(Array.from({ length: 15 }, () => client.query(STUDENTS)));
    await jest.advanceTimersByTimeAsync(5_000);
    await expect(Promise.all([early, late])).resolves.toHaveLength(2);
    expect(server.seen).toEqual({ arrivals: 21, declined: 0 });
  });
});
