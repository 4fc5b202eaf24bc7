import axios, { type AxiosAdapter } from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { API_URL, freshTokens, ok, QUERY } from '../support/fixtures';

// Review of the browser connection bound (transport/connections.ts): cases the bound gets wrong.
// The browser is faked as in connections.spec.ts (XMLHttpRequest, document, PerformanceObserver).

type Entry = { name: string; nextHopProtocol: string };
const g = globalThis as Record<string, unknown>;
let report: ((entries: Entry[]) => void) | undefined;
const savedNavigator = Object.getOwnPropertyDescriptor(globalThis, 'navigator');

/** A page: XMLHttpRequest and a document, and a PerformanceObserver that delivers buffered entries a task later, as browsers do. */
function fakeBrowser(buffered: Entry[] = []): void {
  g.XMLHttpRequest = function XMLHttpRequest() {};
  g.document = {};
  g.PerformanceObserver = class {
    constructor(private readonly callback: (list: { getEntries(): Entry[] }) => void) {}
    observe(): void {
      const mine = (entries: Entry[]) => this.callback({ getEntries: () => entries });
      report = mine;
      if (buffered.length > 0) setTimeout(() => mine(buffered), 0);
    }
  };
  // The same entries are in the timeline now, readable synchronously.
  jest.spyOn(performance, 'getEntriesByType').mockImplementation(((type: string) => (type === 'resource' ? buffered : [])) as never);
}

/** What jsdom (jest-environment-jsdom) and happy-dom put on a Node global: XMLHttpRequest, document, a navigator saying so. */
function fakeJsdom(): void {
  g.XMLHttpRequest = function XMLHttpRequest() {};
  g.document = {};
  Object.defineProperty(globalThis, 'navigator', {
    configurable: true,
    value: { userAgent: 'Mozilla/5.0 (linux) AppleWebKit/537.36 (KHTML, like Gecko) jsdom/26.1.0' },
  });
}

afterEach(() => {
  for (const key of ['XMLHttpRequest', 'document', 'PerformanceObserver']) delete g[key];
  if (savedNavigator) Object.defineProperty(globalThis, 'navigator', savedNavigator);
  else delete g.navigator;
  jest.restoreAllMocks();
  report = undefined;
});

function freshLibrary(): typeof import('../../lib') {
  let lib!: typeof import('../../lib');
  jest.isolateModules(() => {
    lib = require('../../lib');
  });
  return lib;
}

const turn = () => new Promise((r) => setImmediate(r));

/** An adapter that holds every request until released; `inFlight()` counts those it holds. */
function holdingAdapter() {
  const held: Array<() => void> = [];
  const adapter: AxiosAdapter = (config) => new Promise((resolve) => held.push(() => resolve(ok(config))));
  const inFlight = () => held.length;
  /** Answers everything held, turn after turn, until the burst is done. */
  const drain = async (burst: Promise<unknown>) => {
    for (let i = 0; i < 50 && held.length > 0; i++) {
      for (const go of held.splice(0)) go();
      await turn();
    }
    await burst;
  };
  return { adapter, inFlight, drain };
}

describe('connection bound, review', () => {
  it('jsdom / happy-dom in Node (DOM globals, no browser network stack), axios-mock-adapter: a mock that answers once 8 arrived gets all 8', async () => {
    fakeJsdom();
    const lib = freshLibrary();
    const api = axios.create({ baseURL: API_URL });
    const mock = new MockAdapter(api);
    let arrived = 0;
    let all!: () => void;
    const allArrived = new Promise<void>((r) => (all = r));
    mock.onPost().reply(async () => {
      if (++arrived === 8) all();
      await allArrived;
      return [200, { data: { ok: true } }];
    });
    lib.attachTokenRefresh(api, { url: API_URL, tokens: freshTokens() });
    const burst = Promise.all(Array.from({ length: 8 }, () => api.post('', QUERY)));
    for (let i = 0; i < 10; i++) await turn();
    const seen = arrived;
    all(); // never left hanging, whatever was seen
    await burst;
    expect(seen).toBe(8); // 5 with the browser bound: a user's test that waits for all 8 hangs
  });

  it('a browser whose timeline already shows the API on h2 when the app starts: its first burst is not bounded to 5', async () => {
    fakeBrowser([{ name: `${API_URL}/warm`, nextHopProtocol: 'h2' }]);
    const lib = freshLibrary();
    const { adapter, inFlight, drain } = holdingAdapter();
    const api = axios.create({ baseURL: API_URL, adapter });
    lib.attachTokenRefresh(api, { url: API_URL, tokens: freshTokens() });
    const burst = Promise.all(Array.from({ length: 12 }, () => api.post('', QUERY)));
    for (let i = 0; i < 5; i++) await turn();
    const most = inFlight();
    await drain(burst);
    expect(most).toBe(12); // 5: the observer reports the buffered entries a task later, after the burst was admitted
  });

  it('a browser that learns the API is on h2 while a burst waits in admission: the waiting requests are let go', async () => {
    fakeBrowser();
    const lib = freshLibrary();
    const { adapter, inFlight, drain } = holdingAdapter();
    const api = axios.create({ baseURL: API_URL, adapter });
    lib.attachTokenRefresh(api, { url: API_URL, tokens: freshTokens() });
    const burst = Promise.all(Array.from({ length: 12 }, () => api.post('', QUERY)));
    for (let i = 0; i < 5; i++) await turn();
    expect(inFlight()).toBe(5); // the protocol is not known yet
    report!([{ name: API_URL, nextHopProtocol: 'h2' }]); // e.g. the entry of an earlier answer of the API
    for (let i = 0; i < 5; i++) await turn();
    const after = inFlight();
    await drain(burst);
    expect(after).toBe(12); // stays 5 until the burst drains: nothing asks for the bound again
  });
});
