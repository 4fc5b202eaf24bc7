import axios from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { attachTokenRefresh } from '../../lib';

// setBearer (lib/util/headers.ts) recognises AxiosHeaders by duck typing (`set` and `get` are
// functions) and then writes `bag.Authorization = …` as a plain property. A fetch `Headers` or a
// `Map` has `set` and `get` too, but keeps its entries inside: axios 1.x reads such a bag through its
// iterator (AxiosHeaders.from), so the property is never sent — before commit 37f7c87 the token went
// in through `bag.set(…)` and was sent. An interceptor that runs before ours (registered after it)
// may hand over such a bag.

const URL = 'https://api.example.test/graphql';
const later = () => Date.now() + 3_600_000;

function setup(makeBag: (entries: Record<string, string>) => unknown) {
  const api = axios.create({ baseURL: URL });
  const sent: unknown[] = [];
  new MockAdapter(api).onPost().reply((config) => {
    sent.push((config.headers as { get(name: string): unknown }).get('Authorization'));
    return [200, { data: { ok: true } }];
  });
  attachTokenRefresh(api, { tokens: { accessToken: 'fresh-token', expiresAt: later() } });
  // Registered after ours, so it runs before ours: it hands our interceptor a bag of its own.
  api.interceptors.request.use((config) => {
    (config as { headers: unknown }).headers = makeBag({ 'x-trace': '1', authorization: 'Bearer stale-token' });
    return config;
  });
  return { api, sent };
}

const describeIfHeaders = typeof Headers === 'function' && !axios.VERSION?.startsWith('0.') ? describe : describe.skip;

describeIfHeaders('a header bag with set/get that is not AxiosHeaders (axios 1.x)', () => {
  it('sends the current token, not the one the bag held, when the bag is a fetch Headers', async () => {
    const { api, sent } = setup((entries) => new Headers(entries));
    await api.post('', { query: '{ ok }' });
    await api.post('', { query: '{ ok }' });
    expect(sent).toEqual(['Bearer fresh-token', 'Bearer fresh-token']);
  });

  it('sends the current token when the bag is a Map', async () => {
    const { api, sent } = setup((entries) => new Map(Object.entries(entries)));
    await api.post('', { query: '{ ok }' });
    expect(sent).toEqual(['Bearer fresh-token']);
  });
});
