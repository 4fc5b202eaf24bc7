import axios, { type AxiosAdapter } from 'axios';
import { API_URL, freshTokens, ok, QUERY } from '../support/fixtures';

// How many requests the plugin hands the transport at once (docs/how-it-works.md, "connection
// pools"): an agent's maxSockets in Node; in a browser, 5 (its 6 connections per host over HTTP/1.1,
// one left for the refresh), lifted when Resource Timing shows the API's origin on HTTP/2 or HTTP/3.
// The browser is faked here
// (XMLHttpRequest, document, PerformanceObserver); spec/browser/tabs.browser.ts runs it in Chromium.
// Bursts of 12: fewer than the 16 requests a turn of the event loop lets leave (util/turns.ts).

type Entry = { name: string; nextHopProtocol: string };
const g = globalThis as Record<string, unknown>;
let report: ((entries: Entry[]) => void) | undefined;

/** A page: XMLHttpRequest and a document, and a PerformanceObserver the test feeds resource entries to. */
function fakeBrowser(): void {
  g.XMLHttpRequest = function XMLHttpRequest() {};
  g.document = {};
  g.PerformanceObserver = class {
    constructor(private readonly callback: (list: { getEntries(): Entry[] }) => void) {}
    observe(): void {
      report = (entries) => this.callback({ getEntries: () => entries });
    }
  };
}

afterEach(() => {
  for (const key of ['XMLHttpRequest', 'document', 'PerformanceObserver']) delete g[key];
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
}

/** Most requests at the adapter at once, for a burst of `n` (the adapter answers a turn of the event loop later). */
async function mostInFlight(lib: typeof import('../../lib'), n: number, options: Burst = {}): Promise<number> {
  let now = 0;
  let most = 0;
  const held: Array<() => void> = [];
  const adapter: AxiosAdapter = (config) => {
    most = Math.max(most, ++now);
    return new Promise((resolve) => held.push(() => (now--, resolve(ok(config)))));
  };
  const api = axios.create({ baseURL: API_URL, adapter, httpAgent: options.agent ? ({ maxSockets: options.agent } as never) : undefined });
  lib.attachTokenRefresh(api, { url: API_URL, tokens: freshTokens(), ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}) });
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

describe('connection bound: how many requests the transport is handed at once', () => {
  it('Node, unbounded agent: the whole burst', async () => {
    const lib = freshLibrary();
    expect(await mostInFlight(lib, 12)).toBe(12);
  });

  it('Node, an agent with maxSockets 4: 4', async () => {
    const lib = freshLibrary();
    expect(await mostInFlight(lib, 12, { agent: 4 })).toBe(4);
  });

  it('a browser, protocol unknown (HTTP/1.1, or a cross-origin API without Timing-Allow-Origin): 5', async () => {
    fakeBrowser();
    const lib = freshLibrary();
    expect(await mostInFlight(lib, 12)).toBe(5);
  });

  it('a browser whose Resource Timing shows the API on h2: the whole burst; back to 5 when it shows http/1.1', async () => {
    fakeBrowser();
    const lib = freshLibrary();
    expect(await mostInFlight(lib, 12)).toBe(5);
    report!([{ name: `${API_URL}graphql`, nextHopProtocol: 'h2' }]);
    expect(await mostInFlight(lib, 12)).toBe(12);
    report!([{ name: 'https://elsewhere.example/x.js', nextHopProtocol: 'http/1.1' }]); // another origin: no change
    expect(await mostInFlight(lib, 12)).toBe(12);
    report!([{ name: API_URL, nextHopProtocol: 'http/1.1' }]);
    expect(await mostInFlight(lib, 12)).toBe(5);
    report!([{ name: API_URL, nextHopProtocol: 'h3' }]);
    expect(await mostInFlight(lib, 12)).toBe(12);
  });

  it('a browser with rateLimit.concurrency: that number replaces the 5', async () => {
    fakeBrowser();
    const lib = freshLibrary();
    expect(await mostInFlight(lib, 12, { rateLimit: { concurrency: 10 } })).toBe(10);
  });
});
