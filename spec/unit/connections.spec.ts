import axios, { type AxiosAdapter } from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { API_URL, freshTokens, ok, QUERY } from '../support/fixtures';

// How many requests the plugin hands the transport at once (docs/how-it-works.md, "connection
// pools"): an agent's maxSockets in Node; in a browser, 5 when the API's origin speaks HTTP/1.1 (its
// 6 connections per host, one left for the refresh), none over HTTP/2 or HTTP/3. The browser is
// faked here (XMLHttpRequest, document, the timeline and a PerformanceObserver the test feeds
// entries to); spec/browser/tabs.browser.ts and connections.browser.ts run it in Chromium.
// Bursts of 12: fewer than the 16 requests a turn of the event loop lets leave (util/turns.ts).

type Entry = { name: string; nextHopProtocol: string };
const g = globalThis as Record<string, unknown>;
let report: ((entries: Entry[]) => void) | undefined;
const savedNavigator = Object.getOwnPropertyDescriptor(globalThis, 'navigator');

/**
 * A page: XMLHttpRequest and a document; `timeline` is in its Resource Timing now (read at once),
 * and its PerformanceObserver delivers it a task later, as browsers do, then whatever `report` gives.
 */
function fakeBrowser(timeline: Entry[] = []): void {
  g.XMLHttpRequest = function XMLHttpRequest() {};
  g.document = {};
  g.PerformanceObserver = class {
    constructor(private readonly callback: (list: { getEntries(): Entry[] }) => void) {}
    observe(): void {
      const mine = (entries: Entry[]) => this.callback({ getEntries: () => entries });
      report = mine;
      if (timeline.length > 0) setImmediate(() => mine(timeline)); // a later task, as a browser delivers it
    }
  };
  jest.spyOn(performance, 'getEntriesByType').mockImplementation(((type: string) => (type === 'resource' ? timeline : [])) as never);
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

/** The library loaded afresh: what it learned of a page's protocols is per page (per module instance). */
function freshLibrary(): typeof import('../../lib') {
  let lib!: typeof import('../../lib');
  jest.isolateModules(() => {
    lib = require('../../lib');
  });
  return lib;
}

interface Burst {
  rateLimit?: { concurrency: number };
  agent?: number;
  /** The API's URL (`https://api.example.test/graphql` by default). */
  url?: string;
}

/** The same API over plain HTTP, which browsers speak only as HTTP/1.1. */
const CLEARTEXT_URL = 'http://api.example.test/graphql';

/** Most requests at the adapter at once, for a burst of `n` (the adapter answers a turn of the event loop later). */
async function mostInFlight(lib: typeof import('../../lib'), n: number, options: Burst = {}): Promise<number> {
  let now = 0;
  let most = 0;
  const held: Array<() => void> = [];
  const adapter: AxiosAdapter = (config) => {
    most = Math.max(most, ++now);
    return new Promise((resolve) => held.push(() => (now--, resolve(ok(config)))));
  };
  const url = options.url ?? API_URL;
  const api = axios.create({ baseURL: url, adapter, httpAgent: options.agent ? ({ maxSockets: options.agent } as never) : undefined });
  lib.attachTokenRefresh(api, { url, tokens: freshTokens(), ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}) });
  const all = Promise.all(Array.from({ length: n }, () => api.post('', QUERY)));
  let answered = 0;
  while (answered < n) {
    await new Promise((r) => setImmediate(r));
    const batch = held.splice(0);
    for (const go of batch) go();
    answered += batch.length;
  }
  await all;
  return most;
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

/** A page whose timeline shows the API on http/1.1, and a burst of 12 held at the adapter, a few turns after it was made. */
async function burstOnHttp1Page() {
  fakeBrowser([{ name: `${API_URL}/warm`, nextHopProtocol: 'http/1.1' }]);
  const lib = freshLibrary();
  const { adapter, inFlight, drain } = holdingAdapter();
  const api = axios.create({ baseURL: API_URL, adapter });
  lib.attachTokenRefresh(api, { url: API_URL, tokens: freshTokens() });
  const burst = Promise.all(Array.from({ length: 12 }, () => api.post('', QUERY)));
  for (let i = 0; i < 5; i++) await turn();
  return { inFlight, drain, burst };
}

describe('connection bound: how many requests the transport is handed at once', () => {
  it('Node, unbounded agent: the whole burst', async () => {
    const lib = freshLibrary();
    expect(await mostInFlight(lib, 12)).toBe(12);
  });

  it('Node, an agent with maxSockets 4: 4', async () => {
    const lib = freshLibrary();
    expect(await mostInFlight(lib, 12, { agent: 4 })).toBe(4);
  });

  it('a browser, an http: API (browsers speak HTTP/2 only over TLS): 5', async () => {
    fakeBrowser();
    const lib = freshLibrary();
    expect(await mostInFlight(lib, 12, { url: CLEARTEXT_URL })).toBe(5);
  });

  it('a browser, an https: API whose protocol is not shown (cross-origin, no Timing-Allow-Origin): not bounded on a guess', async () => {
    fakeBrowser();
    const lib = freshLibrary();
    expect(await mostInFlight(lib, 12)).toBe(12);
  });

  it('a browser whose Resource Timing shows the https: API on http/1.1: 5; on h2 or h3: the whole burst', async () => {
    fakeBrowser();
    const lib = freshLibrary();
    expect(await mostInFlight(lib, 12)).toBe(12); // not shown yet; the page's observer starts with this first burst
    report!([{ name: API_URL, nextHopProtocol: 'http/1.1' }]);
    expect(await mostInFlight(lib, 12)).toBe(5);
    report!([{ name: `${API_URL}?q=1`, nextHopProtocol: 'h2' }]);
    expect(await mostInFlight(lib, 12)).toBe(12);
    report!([{ name: 'https://elsewhere.example/x.js', nextHopProtocol: 'http/1.1' }]); // another origin: no change
    expect(await mostInFlight(lib, 12)).toBe(12);
    report!([{ name: API_URL, nextHopProtocol: 'http/1.1' }]);
    expect(await mostInFlight(lib, 12)).toBe(5);
    report!([{ name: API_URL, nextHopProtocol: 'h3' }]);
    expect(await mostInFlight(lib, 12)).toBe(12);
    report!([{ name: API_URL, nextHopProtocol: 'http/2+quic/46' }]); // an older Chrome's QUIC: not HTTP/1
    expect(await mostInFlight(lib, 12)).toBe(12);
  });

  it('a browser with rateLimit.concurrency: that number replaces the 5', async () => {
    fakeBrowser();
    const lib = freshLibrary();
    expect(await mostInFlight(lib, 12, { url: CLEARTEXT_URL, rateLimit: { concurrency: 10 } })).toBe(10);
  });

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

  it('a browser whose timeline already shows the API on http/1.1 when the app starts: its first burst is bounded to 5', async () => {
    const { inFlight, drain, burst } = await burstOnHttp1Page();
    const most = inFlight();
    await drain(burst);
    expect(most).toBe(5); // 12: the observer reports the buffered entries a task later, after the burst was admitted
  });

  it('a browser that learns the API is on h2 while a burst waits for HTTP/1.1 places: the waiting requests are let go', async () => {
    const { inFlight, drain, burst } = await burstOnHttp1Page();
    expect(inFlight()).toBe(5); // HTTP/1.1 as far as the page knows
    report!([{ name: API_URL, nextHopProtocol: 'h2' }]); // e.g. the entry of an earlier answer of the API
    for (let i = 0; i < 5; i++) await turn();
    const after = inFlight();
    await drain(burst);
    expect(after).toBe(12); // stays 5 until the burst drains: nothing asks for the bound again
  });
});
