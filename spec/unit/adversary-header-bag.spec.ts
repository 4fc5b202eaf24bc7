import axios from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { attachTokenRefresh } from '../../lib';
import { API_URL } from '../support/fixtures';

// setBearer (lib/util/headers.ts) recognises AxiosHeaders by duck typing (`set` and `get` are
// functions) and then writes `bag.Authorization = …` as a plain property. A fetch `Headers` or a
// `Map` has `set` and `get` too, but keeps its entries inside: axios 1.x reads such a bag through its
// iterator (AxiosHeaders.from), so the property is never sent — before commit 37f7c87 the token went
// in through `bag.set(…)` and was sent. An interceptor that runs before ours (registered after it)
// may hand over such a bag.

const later = () => Date.now() + 3_600_000;

type MakeBag = (entries: Record<string, string>) => unknown;

/** Hands over `bag` from a request interceptor registered after ours (so it runs before ours). */
const handOver = (api: ReturnType<typeof axios.create>, bag: () => unknown) =>
  api.interceptors.request.use((config) => {
    (config as { headers: unknown }).headers = bag();
    return config;
  });

/** What bare axios sends when such a bag holds the current token (axios 1.6 reads none of it; 1.21 does). */
async function bareAxiosSends(makeBag: MakeBag): Promise<unknown> {
  const bare = axios.create({ baseURL: API_URL });
  let sent: unknown;
  new MockAdapter(bare)
    .onPost()
    .reply((config) => ((sent = (config.headers as { get(name: string): unknown }).get('Authorization')), [200, {}]));
  handOver(bare, () => makeBag({ 'x-trace': '1', Authorization: 'Bearer fresh-token' }));
  await bare.post('', { query: '{ ok }' });
  return sent;
}

function setup(makeBag: MakeBag) {
  const api = axios.create({ baseURL: API_URL });
  const sent: unknown[] = [];
  new MockAdapter(api).onPost().reply((config) => {
    sent.push((config.headers as { get(name: string): unknown }).get('Authorization'));
    return [200, { data: { ok: true } }];
  });
  attachTokenRefresh(api, { tokens: { accessToken: 'fresh-token', expiresAt: later() } });
  handOver(api, () => makeBag({ 'x-trace': '1', authorization: 'Bearer stale-token' }));
  return { api, sent };
}

/** Names what was sent, so that no token value is printed when the test fails. */
const named = (reference: unknown) => (value: unknown) =>
  value === reference
    ? 'what bare axios sends'
    : value === 'Bearer stale-token'
      ? 'the stale token'
      : value === undefined
        ? 'no Authorization'
        : 'another value';

const describeIfHeaders = typeof Headers === 'function' && !axios.VERSION?.startsWith('0.') ? describe : describe.skip;

describeIfHeaders('a header bag with set/get that is not AxiosHeaders (axios 1.x)', () => {
  it('sends the current token, not the one the bag held, when the bag is a fetch Headers', async () => {
    const makeBag: MakeBag = (entries) => new Headers(entries);
    const reference = await bareAxiosSends(makeBag);
    const { api, sent } = setup(makeBag);
    await api.post('', { query: '{ ok }' }); // the slow path
    await api.post('', { query: '{ ok }' }); // the fast path
    // axios 1.21: bare axios sends the current token; 37f7c87's setBearer sent the stale one.
    expect(sent.map(named(reference))).toEqual(['what bare axios sends', 'what bare axios sends']);
  });

  it('sends the current token when the bag is a Map', async () => {
    const makeBag: MakeBag = (entries) => new Map(Object.entries(entries));
    const reference = await bareAxiosSends(makeBag);
    const { api, sent } = setup(makeBag);
    await api.post('', { query: '{ ok }' });
    await api.post('', { query: '{ ok }' });
    expect(sent.map(named(reference))).toEqual(['what bare axios sends', 'what bare axios sends']);
  });
});
