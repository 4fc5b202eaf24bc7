import axios, { type AxiosAdapter } from 'axios';
import { attachTokenRefresh } from '../../lib';
import { createPacer } from '../../lib/plugin/pacing';
import { createBudget } from '../../lib/session/budget';
import { createGate } from '../../lib/session/gate';
import { within } from '../support/events';
import { API_URL, freshTokens, ok, QUERY } from '../support/fixtures';

// The request at the head of the admission line waits for the answer that frees room in the send
// budget (docs/rate-limits.md, "pacing"). It must be listening before it asks: an answer that comes
// between its question and its wait would otherwise go unheard, and it — and the line behind it —
// would wait forever.

describe('createPacer(): the head of the line hears the answer that frees the budget', () => {
  it('a head that finds the budget full is woken by the answer that frees it (1 per 50 ms)', async () => {
    const pacer = createPacer({ concurrency: 2, gate: createGate(), budget: createBudget(1, 50) });
    let answerA!: () => void;
    const a = pacer.run(() => new Promise<void>((r) => (answerA = r)), { priority: 0 }); // the budget's only ticket
    answerA(); // its place and ticket are given back a microtask later
    const sent: string[] = [];
    const c = pacer.run(async () => void sent.push('C'), { priority: 0 }); // the budget is full: C is the head
    await a;
    await within(c, 'C was never sent: the answer that freed the budget went unheard', 2_000);
    expect(sent).toEqual(['C']);
  });
});

describe('attachTokenRefresh(instance, { rateLimit }): a second query j microtasks after the first', () => {
  it('is answered for every j (intervalCap 1 per 20 ms, maxSockets 2)', async () => {
    const stuck: number[] = [];
    for (let j = 0; j < 20; j++) {
      const adapter: AxiosAdapter = async (config) => (await null, await null, ok(config));
      const api = axios.create({ baseURL: API_URL, adapter, httpAgent: { maxSockets: 2 } as never });
      attachTokenRefresh(api, { url: API_URL, tokens: freshTokens(), rateLimit: { intervalCap: 1, interval: 20 } });
      const first = api.post('', QUERY);
      const second = (async () => {
        for (let i = 0; i < j; i++) await null;
        return api.post('', QUERY);
      })();
      await within(Promise.all([first, second]), `j = ${j}`, 1_000).catch(() => stuck.push(j));
    }
    expect(stuck).toEqual([]);
  });
});

describe('createPacer(): a rate-limit pause that starts while requests wait in the line', () => {
  it('keeps the process alive for them (its timer is ref’d) even when the head gives up', async () => {
    const timers: NodeJS.Timeout[] = [];
    const real = global.setTimeout;
    const spy = jest.spyOn(global, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
      const timer = real(fn, ms);
      timers.push(timer);
      return timer;
    }) as typeof setTimeout);
    const gate = createGate();
    const pacer = createPacer({ concurrency: 1, gate });
    let answerFirst!: () => void;
    const first = pacer.run(() => new Promise<void>((r) => (answerFirst = r)), { priority: 0 }); // the only place
    const giveUp = new AbortController();
    const head = pacer.run(async () => 'A', { priority: 0, signal: giveUp.signal }).catch((e) => e); // waits for a place
    const waiting = pacer.run(async () => 'B', { priority: 0 }); // in the line, the gate open
    gate.pause(60_000);
    const pauseTimer = timers[timers.length - 1]!;
    spy.mockRestore();
    giveUp.abort();
    await head;
    answerFirst();
    await first;
    await new Promise((r) => setImmediate(r));
    expect(pacer.waiting).toBe(1); // B waits for the pause
    expect(pauseTimer.hasRef()).toBe(true);
    clearTimeout(pauseTimer);
    void waiting;
  });
});
