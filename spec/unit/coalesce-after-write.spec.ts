import axios, { type AxiosRequestConfig } from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { createGraphQLClient, gql } from '../../lib';

// A write closes the in-flight table (lib/client/in-flight-table.ts, clear()); the requests it
// closed to new callers still land, or lose all their callers, afterwards. Neither may take out a
// request added since, under the same key or in the same place of the table (from a cold review).

const Q = gql<{ echo: { n: number } }, { v?: number }>`query Q($v: Int) { echo }`;
const M = gql<{ echo: { n: number } }, Record<string, never>>`mutation M { echo }`;

/** A server that holds every request until the test lets it answer (`answer(i)`), with `sent(n)` resolving once n requests have arrived. */
function heldServer() {
  const api = axios.create({ baseURL: 'https://api.example.test/' });
  const mock = new MockAdapter(api);
  const sent: AxiosRequestConfig[] = [];
  const gates: Array<() => void> = [];
  const waiters: Array<{ n: number; go: () => void }> = [];
  mock.onAny().reply(async (config) => {
    const n = sent.push(config) - 1;
    const held = new Promise<void>((go) => gates.push(go));
    for (const w of waiters.filter((w) => sent.length >= w.n)) w.go();
    await held;
    return [200, { data: { echo: { n } } }];
  });
  const sentCount = (n: number) => (sent.length >= n ? Promise.resolve() : new Promise<void>((go) => waiters.push({ n, go })));
  return { sent, sentCount, answer: (i: number) => gates[i]!(), client: createGraphQLClient(api, { url: 'graphql' }) };
}

describe('the in-flight table after a write', () => {
  it('a query closed by a write that lands later does not take out the newer one with the same key: a later call still joins it', async () => {
    const { client, sent, sentCount, answer } = heldServer();
    const before = client.query(Q, { v: 1 });
    await sentCount(1);
    const write = client.mutate(M);
    await sentCount(2);
    const after = client.query(Q, { v: 1 }); // a new request: the write closed the first one
    await sentCount(3);
    answer(0);
    expect((await before).echo.n).toBe(0);
    const joining = client.query(Q, { v: 1 }); // joins `after`, not sent
    answer(2);
    expect((await after).echo.n).toBe(2);
    expect((await joining).echo.n).toBe(2);
    expect(sent).toHaveLength(3);
    answer(1);
    await write;
  });

  it('a query closed by a write whose callers all give up does not take out a newer one in its place', async () => {
    const { client, sent, sentCount, answer } = heldServer();
    const controller = new AbortController();
    const before = client.query(Q, { v: 1 }, { signal: controller.signal }).catch((error: unknown) => error);
    await sentCount(1);
    const write = client.mutate(M);
    await sentCount(2);
    const other = client.query(Q, { v: 2 }); // another key, the first place of the new table
    await sentCount(3);
    controller.abort();
    expect(axios.isCancel(await before)).toBe(true); // axios' CanceledError (its Cancel before 0.27)
    const joining = client.query(Q, { v: 2 });
    answer(2);
    expect((await joining).echo.n).toBe((await other).echo.n);
    expect(sent).toHaveLength(3);
    answer(0);
    answer(1);
    await write;
  });
});
