import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { bundleApp, CHROMIUM_PATH, hasChromium, launchChromium, pageErrors } from './support/harness';

// Admission in a browser over HTTP/2 (docs/how-it-works.md, "connection pools"): the plugin hands
// the browser 5 requests at once while the API's protocol is unknown or HTTP/1.1 (tabs.browser.ts
// runs that case against the sandbox), and lifts the bound once the browser's Resource Timing shows
// the API answering over h2, where one connection carries every request. Real Chromium, a real
// HTTP/2 server (TLS, the test certificate for 127.0.0.1), the page on the API's own origin so that
// its protocol is visible to it. The server holds the queries' answers until the test has counted
// how many arrived together.

if (!hasChromium) {
  if (process.env.REQUIRE_BROWSER) throw new Error(`Chromium not found at ${CHROMIUM_PATH} (apt-get install chromium)`);
  console.warn(`SKIPPED: the browser tests need Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`);
}
const describeIf = hasChromium ? describe : describe.skip;

const tls = path.join(__dirname, '..', 'support', 'tls');
const ANSWER = JSON.stringify({ data: { students: [{ id: 1, fullName: 'A' }] } });

/** An HTTP/2-only server: the page, its script, and GraphQL POSTs answered when `release()` lets them go. */
async function startH2(script: string) {
  let holding = false;
  const waiting: Array<() => void> = [];
  const server = http2.createSecureServer({
    key: readFileSync(path.join(tls, 'server.key')),
    cert: readFileSync(path.join(tls, 'server.pem')),
  });
  server.on('stream', (stream, headers) => {
    if (headers[':method'] !== 'POST') {
      const isScript = headers[':path'] === '/app.js';
      stream.respond({ ':status': 200, 'content-type': isScript ? 'text/javascript' : 'text/html', 'cache-control': 'no-store' });
      stream.end(isScript ? script : '<!doctype html><meta charset="utf-8"><title>app</title><script src="/app.js"></script>');
      return;
    }
    stream.resume();
    stream.on('end', () => {
      const answer = () => {
        stream.respond({ ':status': 200, 'content-type': 'application/json' });
        stream.end(ANSWER);
      };
      if (!holding) return answer();
      waiting.push(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    /** Holds every answer from now on, until `release()`. */
    hold(): void {
      holding = true;
    },
    /** How many queries wait at the server now. */
    held: () => waiting.length,
    release(): void {
      holding = false;
      for (const answer of waiting.splice(0)) answer();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let browser: Browser;
let server: Awaited<ReturnType<typeof startH2>>;
let context: BrowserContext | undefined;

beforeAll(async () => {
  if (!hasChromium) return;
  const script = await bundleApp();
  [browser, server] = await Promise.all([launchChromium(), startH2(script)]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});
afterEach(async () => {
  server?.release(); // a failed case leaves nothing held for the next
  await context?.close();
  context = undefined;
  expect(pageErrors.splice(0)).toEqual([]);
});

describeIf('a browser on an HTTP/2 API: admission lifts its bound of 5', () => {
  it.each(['xhr', 'fetch'] as const)('%s: once the browser reports h2, a burst of 12 reaches the server at once', async (adapter) => {
    context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(`${error.name}: ${error.message}`));
    await page.goto(`${server.origin}/?api=${encodeURIComponent(`${server.origin}/`)}`);
    await page.waitForFunction(() => typeof window.app === 'object');
    await page.evaluate((a) => window.app.plain.start(a, { accessToken: 'at-1', refreshToken: 'rt-1' }), adapter);
    expect(await page.evaluate(() => window.app.plain.burst(3))).toBe(3);
    expect(await page.evaluate(() => window.app.plain.protocolSeen())).toBe('h2');

    server.hold();
    const burst = page.evaluate(() => window.app.plain.burst(12));
    // Every query of the burst is either at the server or waiting in the plugin for a place (over
    // HTTP/1.1, or before the protocol is known, 7 would wait there: 5 at the server).
    for (;;) {
      const waiting = await page.evaluate(() => window.app.plain.waiting());
      if (server.held() + waiting === 12) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(server.held()).toBe(12);
    server.release();
    expect(await burst).toBe(12);
  });
});
