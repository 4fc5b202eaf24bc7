import axios, { type AxiosAdapter, type InternalAxiosRequestConfig } from 'axios';
import { PER_TURN } from '../../lib/util/turns';
import { STUDENTS, closeAll, harness } from '../support/setup';

// A herd leaves a slice per turn of the event loop (docs/how-it-works.md, "herds"); a request's own
// `timeout` counts from the moment the plugin took it in, its wait for a turn included. A request whose
// deadline passed while it waited for its turn is never handed to the transport with a fresh timer:
// it rejects with axios' own timeout error.

afterEach(closeAll);

const TIMEOUT_MS = 200;
/** A long synchronous task (a big JSON.parse, a render) in the turn the first slice leaves in: longer than the timeout. */
const BLOCK_MS = 2 * TIMEOUT_MS;
const blockFor = (ms: number) => {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    /* busy: the event loop cannot turn */
  }
};

/** The instance's own transport, wrapped to note when each request was handed to it and to block once. */
function watchedTransport(base: AxiosAdapter, blockAt: () => boolean) {
  const handedAt = new Map<number, number>();
  const adapter: AxiosAdapter = (config: InternalAxiosRequestConfig) => {
    const body = JSON.parse(String(config.data)) as { operationName?: string; variables?: { offset?: number } };
    if (body.operationName === 'Students') handedAt.set(body.variables!.offset!, Date.now());
    if (blockAt()) blockFor(BLOCK_MS);
    return base(config);
  };
  return { adapter, handedAt };
}

const defaultAdapter = (): AxiosAdapter => {
  const a = axios as unknown as { getAdapter?: (x: unknown) => AxiosAdapter; defaults: { adapter: unknown } };
  return a.getAdapter ? a.getAdapter(a.defaults.adapter) : (a.defaults.adapter as AxiosAdapter);
};

describe('attachTokenRefresh(instance): a request that waited for its turn past its own timeout', () => {
  it(`is never sent: the requests after the first ${PER_TURN} of a burst reject with axios' timeout error when a long task ran meanwhile`, async () => {
    const h = await harness();
    const n = PER_TURN + 4;
    let issued = false;
    let blocked = false;
    let calls = 0;
    // Block once, in the turn the first slice left in: after the whole burst was issued, and after the
    // slice reached the transport (axios 1.x hands it over at once; 0.27 a few microtasks later).
    const shouldBlock = () => (++calls >= PER_TURN && issued && !blocked ? (blocked = true) : false);
    const { adapter, handedAt } = watchedTransport(defaultAdapter(), shouldBlock);
    h.api.defaults.adapter = adapter;
    await new Promise((resolve) => setImmediate(resolve)); // a fresh turn: the burst's first slice is PER_TURN

    const madeAt: number[] = [];
    const results = Array.from({ length: n }, (_, i) => {
      madeAt.push(Date.now());
      return h.client.query(STUDENTS, { offset: i } as never, { timeout: TIMEOUT_MS }).then(
        () => 'ok',
        (error: { code?: string; message?: string }) => `${error.code}: ${error.message}`,
      );
    });
    issued = true;
    if (calls >= PER_TURN && !blocked) {
      blocked = true;
      blockFor(BLOCK_MS);
    }
    const outcomes = await Promise.all(results);

    expect(blocked).toBe(true);
    // Handed to the transport after its own timeout ran out: none.
    const late = [...handedAt].filter(([i, at]) => at - madeAt[i]! >= TIMEOUT_MS).map(([i]) => i);
    expect(late).toEqual([]);
    // The requests that waited for a later turn were never sent, and got axios' own timeout error.
    const neverSent = outcomes.map((o, i) => [i, o] as const).filter(([i]) => !handedAt.has(i));
    expect(neverSent.length).toBeGreaterThanOrEqual(n - PER_TURN);
    for (const [, outcome] of neverSent) expect(outcome).toBe(`ECONNABORTED: timeout of ${TIMEOUT_MS}ms exceeded`);
  });

  it('is never replayed: replays released by one refresh whose timeout ran out before they left reject with axios\' timeout error', async () => {
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
