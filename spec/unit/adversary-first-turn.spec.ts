import axios, { type AxiosAdapter, type AxiosRequestConfig } from 'axios';
import { attachTokenRefresh } from '../../lib';
import { PER_TURN } from '../../lib/util/turns';
import { API_URL, freshTokens, ok, QUERY } from '../support/fixtures';

// Adversarial: how many requests of a herd of 300 leave in the turn they were made in (before an
// immediate scheduled ahead of the herd runs: the plugin's next turn is scheduled after it).
// lib/util/turns.ts promises at most PER_TURN of the plugin's requests per turn.

async function firstTurn(config: AxiosRequestConfig, interceptor?: 'after' | 'before') {
  const sent: unknown[] = [];
  const adapter: AxiosAdapter = (c) => (sent.push(c.headers.Authorization), new Promise((r) => setImmediate(() => r(ok(c)))));
  const api = axios.create({ baseURL: API_URL, adapter });
  if (interceptor === 'before') api.interceptors.request.use(async (c) => c);
  attachTokenRefresh(api, { url: API_URL, tokens: freshTokens() });
  if (interceptor === 'after') api.interceptors.request.use(async (c) => c);
  await api.post('', QUERY); // learns the endpoint
  sent.length = 0;
  let inFirstTurn = -1;
  const marker = new Promise<void>((r) => setImmediate(() => ((inFirstTurn = sent.length), r())));
  const all = Promise.all(Array.from({ length: 300 }, () => api.post('', QUERY, config)));
  await marker;
  await all;
  return { inFirstTurn, sent };
}

describe('a herd of 300: requests sent in the turn they were made in', () => {
  it.each([
    ['no other interceptor (runWhen fast path)', undefined],
    ['an async interceptor registered after ours (runs first)', 'after' as const],
    ['an async interceptor registered before ours (runs after)', 'before' as const],
  ])(`valid token, %s: at most ${PER_TURN}, all 300 with the token`, async (_what, where) => {
    const { inFirstTurn, sent } = await firstTurn({}, where);
    expect(inFirstTurn).toBeLessThanOrEqual(PER_TURN);
    expect(sent.filter((a) => a === 'Bearer tok')).toHaveLength(300);
  });

  it(`skipAuthRefresh requests carry the token, so they are sliced too: at most ${PER_TURN} leave in the first turn`, async () => {
    const { inFirstTurn, sent } = await firstTurn({ skipAuthRefresh: true });
    expect(sent.filter((a) => a === 'Bearer tok')).toHaveLength(300);
    expect(inFirstTurn).toBeLessThanOrEqual(PER_TURN);
  });
});
