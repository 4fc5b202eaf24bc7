import axios, { type AxiosAdapter } from 'axios';
import { attachTokenRefresh } from '../../lib';
import { API_URL, freshTokens, ok } from '../support/fixtures';

// Adversarial: requests of a herd that wait for a later turn (lib/util/turns.ts) are aborted, or the
// attachment is detached, while they wait. Aborted ones are never sent and reject with axios'
// CanceledError; every request settles.

function herd(sent: Array<{ i: number; auth: unknown }>) {
  const adapter: AxiosAdapter = (config) => {
    sent.push({ i: JSON.parse(config.data).variables.i, auth: config.headers.Authorization });
    return new Promise((r) => setImmediate(() => r(ok(config))));
  };
  return axios.create({ baseURL: API_URL, adapter });
}

describe('a herd of 300, requests 200..299 aborted while they wait for a turn', () => {
  it('sends none of the aborted ones; they reject with CanceledError, the 200 others are answered', async () => {
    const sent: Array<{ i: number; auth: unknown }> = [];
    const api = herd(sent);
    attachTokenRefresh(api, { url: API_URL, tokens: freshTokens() });
    const controllers = Array.from({ length: 300 }, () => new AbortController());
    const all = controllers.map((c, i) =>
      api.post('', { query: 'query Q($i: Int) { ok }', variables: { i } }, { signal: c.signal }).then(
        () => 'ok',
        (e: unknown) => (axios.isCancel(e) ? 'canceled' : String(e)),
      ),
    );
    controllers.slice(200).forEach((c) => c.abort());
    const outcomes = await Promise.all(all);
    expect(outcomes.slice(0, 200).every((o) => o === 'ok')).toBe(true);
    expect(outcomes.slice(200).every((o) => o === 'canceled')).toBe(true);
    expect(sent.filter((s) => s.i >= 200)).toEqual([]);
    expect(sent).toHaveLength(200);
  });

  it('held for a refresh, then aborted while held: none of the aborted ones is sent', async () => {
    const sent: Array<{ i: number; auth: unknown }> = [];
    const api = herd(sent);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    attachTokenRefresh(api, {
      url: API_URL,
      tokens: { ...freshTokens(), expiresAt: Date.now() - 1 },
      refresh: async () => (await gate, { accessToken: 'fresh', refreshToken: 'r2', expiresAt: Date.now() + 3_600_000 }),
    });
    const controllers = Array.from({ length: 300 }, () => new AbortController());
    const all = controllers.map((c, i) =>
      api.post('', { query: 'query Q($i: Int) { ok }', variables: { i } }, { signal: c.signal }).then(
        () => 'ok',
        (e: unknown) => (axios.isCancel(e) ? 'canceled' : String(e)),
      ),
    );
    controllers.slice(200).forEach((c) => c.abort());
    release();
    const outcomes = await Promise.all(all);
    expect(outcomes.slice(200).every((o) => o === 'canceled')).toBe(true);
    expect(outcomes.slice(0, 200).every((o) => o === 'ok')).toBe(true);
    expect(sent.filter((s) => s.i >= 200)).toEqual([]);
    expect(new Set(sent.map((s) => s.auth))).toEqual(new Set(['Bearer fresh']));
  });
});

describe('detach while 172 requests of a herd wait for a turn', () => {
  it('settles all 300', async () => {
    const sent: Array<{ i: number; auth: unknown }> = [];
    const api = herd(sent);
    const auth = attachTokenRefresh(api, { url: API_URL, tokens: freshTokens() });
    const all = Array.from({ length: 300 }, (_, i) =>
      api.post('', { query: 'query Q($i: Int) { ok }', variables: { i } }).then(
        () => 'ok',
        (e: Error) => e.name,
      ),
    );
    auth.detach();
    const outcomes = await Promise.all(all);
    expect(outcomes).toHaveLength(300);
    expect(sent).toHaveLength(300);
  });
});
