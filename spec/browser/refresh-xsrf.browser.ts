import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserContext, Page } from 'playwright-core';
import { waitFor } from '../support/events';
import { APP_HTML, chromiumForFile, describeWithChromium, openTab, pageErrors } from './support/harness';

// The refresh's XSRF header in a page (docs/how-it-works.md, "The refresh leaves at once in a
// page"): axios' XHR adapter reads the XSRF cookie through the Cookie Store API, a round trip after
// which the page has handled every answer already there; for an API on the page's own origin, with
// axios' default adapters and `withXSRFToken` unset, the plugin reads the same cookie from
// document.cookie, so the refresh leaves at once with the header axios would have set. Every other
// case is axios' own. Real Chromium; one server answers the page and the API, on
// http://localhost:PORT (the page's origin) and http://127.0.0.1:PORT (another origin).

const describeIf = describeWithChromium();

interface Received {
  kind: 'refresh' | 'query';
  xsrf: string | undefined;
}

/** The page, its script, and a GraphQL API where `at-1` is dead and the refresh gives `at-2`; what each POST carried. */
async function startServer(script: string) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const cors = { 'access-control-allow-origin': String(req.headers.origin ?? '*'), 'access-control-allow-headers': '*' };
    if (req.method === 'OPTIONS') return void res.writeHead(204, cors).end();
    if (req.method !== 'POST') {
      const isScript = req.url === '/app.js';
      res.writeHead(isScript || req.url?.startsWith('/?') ? 200 : 404, { 'content-type': isScript ? 'text/javascript' : 'text/html' });
      return void res.end(isScript ? script : APP_HTML);
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const refresh = Buffer.concat(chunks).includes('refreshToken(');
      const xsrf = req.headers['x-xsrf-token'];
      received.push({ kind: refresh ? 'refresh' : 'query', xsrf: typeof xsrf === 'string' ? xsrf : undefined });
      const body = refresh
        ? { data: { refreshToken: { accessToken: 'at-2', expiresIn: 900 } } }
        : req.headers.authorization === 'Bearer at-2'
          ? { data: { students: [{ id: 1 }] } }
          : { data: null, errors: [{ message: 'Authentication required', extensions: { code: 'UNAUTHENTICATED' } }] };
      res.writeHead(200, { ...cors, 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    received,
    page: `http://localhost:${port}`,
    sameOrigin: `http://localhost:${port}/`,
    otherOrigin: `http://127.0.0.1:${port}/`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const chromium = chromiumForFile();
let server: Awaited<ReturnType<typeof startServer>> | undefined;
let context: BrowserContext | undefined;

afterEach(async () => {
  await context?.close();
  await server?.close();
  context = server = undefined;
  expect(pageErrors.splice(0)).toEqual([]);
});

/** What the page's `cookieStore.get` stand-in keeps: how many reads, and the reads held (those after the first `passFirst`, until the test lets them go). */
interface CookieStoreWatch {
  cookieStoreReads: number;
  cookieStoreHeld: Array<() => void>;
  passFirst: number;
}

/**
 * A tab on the page's origin with the cookie `XSRF-TOKEN=x%20y` and `cookieStore.get` watched
 * (counted; held after the first `passFirst`); a plain attachment with `adapter` (axios' default
 * list unless given) to the API on `origin`, on the dead token `at-1`.
 */
async function openWatchedTab(
  origin: 'sameOrigin' | 'otherOrigin',
  { adapter, ...instanceOptions }: { adapter?: 'xhr' | 'fetch'; withXSRFToken?: boolean } = {},
): Promise<Page> {
  server = await startServer(chromium.script);
  context = await chromium.browser.newContext();
  await context.addCookies([{ name: 'XSRF-TOKEN', value: 'x%20y', url: server.page }]);
  const page = await openTab(context, server.page, server[origin]);
  await page.evaluate(() => {
    const watch = window as unknown as CookieStoreWatch & { cookieStore: { get: (...args: unknown[]) => Promise<unknown> } };
    const get = watch.cookieStore.get.bind(watch.cookieStore);
    Object.assign(watch, { cookieStoreReads: 0, cookieStoreHeld: [], passFirst: Number.POSITIVE_INFINITY });
    watch.cookieStore.get = async (...args) => {
      if (++watch.cookieStoreReads > watch.passFirst) await new Promise<void>((go) => watch.cookieStoreHeld.push(go));
      return get(...args);
    };
  });
  await page.evaluate(([a, options]) => window.app.plain.start(a, { accessToken: 'at-1', refreshToken: 'rt-1' }, options), [
    adapter,
    instanceOptions,
  ] as const);
  return page;
}

/** How many times axios asked the Cookie Store for the XSRF cookie in the tab. */
const cookieStoreReads = (page: Page) => page.evaluate(() => (window as unknown as CookieStoreWatch).cookieStoreReads);

/** The query, the refresh and the replay, each with the XSRF header it carried. */
const sent = (xsrf: string | undefined) => [
  { kind: 'query', xsrf },
  { kind: 'refresh', xsrf },
  { kind: 'query', xsrf },
];

describeIf('the refresh in a page: its XSRF header read at once', () => {
  it('an API on the page’s origin: the refresh reaches the server while the Cookie Store answers nothing, with the header axios sets', async () => {
    const page = await openWatchedTab('sameOrigin');
    // The query reads the cookie as axios does; every read after it is held.
    await page.evaluate(() => {
      (window as unknown as CookieStoreWatch).passFirst = 1;
    });
    const burst = page.evaluate(() => window.app.plain.burst(1));
    // Until the refresh reaches the server, or a read is held (the refresh's, were it waiting for one).
    const held = () => page.evaluate(() => (window as unknown as CookieStoreWatch).cookieStoreHeld.length);
    await waitFor(async () => server!.received.some((r) => r.kind === 'refresh') || (await held()) > 0, 'the refresh or a held read');
    expect(server!.received.map((r) => r.kind)).toEqual(['query', 'refresh']);
    // The replay's read is held in its turn: let it go.
    await waitFor(async () => (await held()) === 1, 'the replay’s read held');
    await page.evaluate(() => {
      const watch = window as unknown as CookieStoreWatch;
      watch.passFirst = Number.POSITIVE_INFINITY;
      for (const go of watch.cookieStoreHeld.splice(0)) go();
    });
    expect(await burst).toBe(1);
    expect(server!.received).toEqual(sent('x y')); // the cookie's value as axios reads it (decoded)
    expect(await cookieStoreReads(page)).toBe(2); // the query's and the replay's
  });

  it('the fetch adapter on the page’s origin: axios sets the header on every request (read at once there), the refresh included', async () => {
    const page = await openWatchedTab('sameOrigin', { adapter: 'fetch' });
    expect(await page.evaluate(() => window.app.plain.burst(1))).toBe(1);
    expect(server!.received).toEqual(sent('x y'));
    expect(await cookieStoreReads(page)).toBe(0);
  });

  it('`withXSRFToken: false` on the page’s origin: no request carries the header, the refresh included', async () => {
    const page = await openWatchedTab('sameOrigin', { withXSRFToken: false });
    expect(await page.evaluate(() => window.app.plain.burst(1))).toBe(1);
    expect(server!.received).toEqual(sent(undefined));
    expect(await cookieStoreReads(page)).toBe(0);
  });

  it('an API on another origin: no request carries the header, the refresh included (axios’ rule)', async () => {
    const page = await openWatchedTab('otherOrigin');
    expect(await page.evaluate(() => window.app.plain.burst(1))).toBe(1);
    expect(server!.received).toEqual(sent(undefined));
    expect(await cookieStoreReads(page)).toBe(0);
  });

  it('`withXSRFToken: true` on another origin: axios sets the header on every request, the refresh included', async () => {
    const page = await openWatchedTab('otherOrigin', { withXSRFToken: true });
    expect(await page.evaluate(() => window.app.plain.burst(1))).toBe(1);
    expect(server!.received).toEqual(sent('x y'));
    expect(await cookieStoreReads(page)).toBe(3); // left to axios
  });
});
