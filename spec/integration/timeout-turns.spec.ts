import axios, { type AxiosAdapter, type InternalAxiosRequestConfig } from 'axios';
import { mayGoNow, PER_TURN } from '../../lib/util/turns';
import { closeAll, harness, STUDENTS } from '../support/setup';

// A herd leaves a slice per turn of the event loop (docs/how-it-works.md, "herds"); a request's own
// `timeout` counts from the moment the plugin took it in, its wait for a turn included. A request whose
// deadline passed while it waited for its turn is never handed to the transport with a fresh timer:
// it rejects with axios' own timeout error.

afterEach(closeAll);

const TIMEOUT_MS = 200;
/** A long synchronous task (a big JSON.parse, a render) while requests wait for their turn: longer than their timeout. */
const BLOCK_MS = 2 * TIMEOUT_MS;
const blockFor = (ms: number) => {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    /* busy: the event loop cannot turn */
  }
};

/** The instance's own transport, wrapped to note when each request was handed to it. */
function watchedTransport(base: AxiosAdapter) {
  const handedAt = new Map<number, number>();
  const adapter: AxiosAdapter = (config: InternalAxiosRequestConfig) => {
    const body = JSON.parse(String(config.data)) as { operationName?: string; variables?: { offset?: number } };
    if (body.operationName === 'Students') handedAt.set(body.variables!.offset!, Date.now());
    return base(config);
  };
  return { adapter, handedAt };
}

const defaultAdapter = (): AxiosAdapter => {
  const a = axios as unknown as { getAdapter?: (x: unknown) => AxiosAdapter; defaults: { adapter: unknown } };
  return a.getAdapter ? a.getAdapter(a.defaults.adapter) : (a.defaults.adapter as AxiosAdapter);
};

describe('attachTokenRefresh(instance): a request that waited for its turn past its own timeout', () => {
  it("is never sent: a request that waited for a later turn while a long task ran rejects with axios' timeout error", async () => {
    const h = await harness();
    const { adapter, handedAt } = watchedTransport(defaultAdapter());
    h.api.defaults.adapter = adapter;
    await new Promise((resolve) => setImmediate(resolve));
    // This turn's share is spent, as by a burst of PER_TURN requests still unanswered: the next request waits for a later turn.
    for (let i = 0; i < PER_TURN; i++) mayGoNow();
    const madeAt = Date.now();
    const result = h.client.query(STUDENTS, { offset: 0 } as never, { timeout: TIMEOUT_MS }).then(
      () => 'ok',
      (error: { code?: string; message?: string }) => `${error.code}: ${error.message}`,
    );
    for (let i = 0; i < 10; i++) await null; // the plugin has taken it in (axios 0.27 runs interceptors a few microtasks later)
    blockFor(BLOCK_MS); // a long synchronous task, before the next turn

    expect(await result).toBe(`ECONNABORTED: timeout of ${TIMEOUT_MS}ms exceeded`);
    expect(handedAt.has(0) ? handedAt.get(0)! - madeAt : 'never sent').toBe('never sent');
  });

  it("is never replayed: replays released by one refresh whose timeout ran out before they left reject with axios' timeout error", async () => {
    const h = await harness();
    const timeout = 1_000;
    const replayedAt = new Map<number, number>();
    let blocked = false;
    const base = defaultAdapter();
    h.api.defaults.adapter = ((config: InternalAxiosRequestConfig) => {
      const body = JSON.parse(String(config.data)) as { operationName?: string; variables?: { offset?: number } };
      const auth = String((config.headers as { Authorization?: unknown }).Authorization ?? '');
      if (body.operationName === 'Students' && !auth.endsWith(h.initial.accessToken)) {
        replayedAt.set(body.variables!.offset!, Date.now());
        // The first replay leaves: a long synchronous task runs before the others can.
        if (!blocked) blockFor((blocked = true) && timeout);
      }
      return base(config);
    }) as AxiosAdapter;
    h.server.expireAccessTokens();
    const n = 8;
    const madeAt: number[] = [];
    const outcomes = await Promise.all(
      Array.from({ length: n }, (_, i) => {
        madeAt.push(Date.now());
        return h.client.query(STUDENTS, { offset: i } as never, { timeout }).then(
          () => 'ok',
          (error: { code?: string; message?: string }) => `${error.code}: ${error.message}`,
        );
      }),
    );
    expect(h.server.stats.refreshes).toBe(1);
    expect(blocked).toBe(true);
    const late = [...replayedAt].filter(([i, at]) => at - madeAt[i]! >= timeout).map(([i]) => i);
    expect(late).toEqual([]);
    // Not replayed: timed out waiting (or, the first attempt, in flight during the long task).
    const neverReplayed = outcomes.filter((_, i) => !replayedAt.has(i));
    expect(neverReplayed.length).toBeGreaterThan(0);
    for (const outcome of neverReplayed) expect(outcome).toMatch(/^ECONNABORTED: timeout of \d+ms exceeded$/);
  });
});
