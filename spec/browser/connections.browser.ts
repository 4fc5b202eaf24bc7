import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import http2, { type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { APP_HTML, chromiumForFile, describeWithChromium, openTab, pageErrors } from './support/harness';

// Admission in a browser on an https: API (docs/how-it-works.md, "connection pools"): the plugin
// hands the browser 5 requests at once when its Resource Timing shows the API answering over
// HTTP/1.1 (6 connections per host, one left for the refresh), and no bound over HTTP/2, where one
// connection carries every request. (A plain http: API is HTTP/1.1 for certain: tabs.browser.ts runs
// that case against the sandbox.) Real Chromium; a real TLS server (the test certificate for
// 127.0.0.1) speaking only HTTP/2 or only HTTP/1.1, the page on the API's own origin so that its
// protocol is visible to it. The server holds the queries' answers until the test has counted how
// many arrived together.

const describeIf = describeWithChromium();

const tls = path.join(__dirname, '..', 'support', 'tls');
const ANSWER = JSON.stringify({ data: { students: [{ id: 1, fullName: 'A' }] } });

type Protocol = 'h2' | 'http/1.1';

/**
 * The page, its script and GraphQL POSTs on one TLS origin, over HTTP/2 or HTTP/1.1 only; the
 * queries' answers are held from `hold()` until `release()`.
 */
async function startTls(script: string, protocol: Protocol) {
  let holding = false;
  const waiting: Array<() => void> = [];
  const handler = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => {
    if (req.method !== 'POST') {
      const isScript = req.url === '/app.js';
      res.writeHead(200, { 'content-type': isScript ? 'text/javascript' : 'text/html', 'cache-control': 'no-store' });
      res.end(isScript ? script : APP_HTML);
      return;
    }
    req.resume();
    req.on('end', () => {
      const answer = () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(ANSWER);
      };
      if (holding) waiting.push(answer);
      else answer();
    });
  };
  const options = { key: readFileSync(path.join(tls, 'server.key')), cert: readFileSync(path.join(tls, 'server.pem')) };
  const server = protocol === 'h2' ? http2.createSecureServer(options, handler) : https.createServer(options, handler);
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
    close(): Promise<void> {
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const chromium = chromiumForFile();
let server: Awaited<ReturnType<typeof startTls>> | undefined;
let context: BrowserContext | undefined;

afterEach(async () => {
  server?.release(); // a failed case leaves nothing held
  await context?.close();
  await server?.close();
  context = server = undefined;
  expect(pageErrors.splice(0)).toEqual([]);
});

describeIf('a browser on an https: API: admission bounds HTTP/1.1, not HTTP/2', () => {
  it.each([
    ['h2', 'xhr', 12],
    ['h2', 'fetch', 12],
    ['http/1.1', 'xhr', 5],
    ['http/1.1', 'fetch', 5],
  ] as const)(
    '%s, %s: of a burst of 12, %i reach the server at once (the rest wait in the plugin), all answered',
    async (protocol, adapter, together) => {
      server = await startTls(chromium.script, protocol);
      context = await chromium.browser.newContext({ ignoreHTTPSErrors: true });
      const page = await openTab(context, server.origin, `${server.origin}/`);
      await page.evaluate((a) => window.app.plain.start(a, { accessToken: 'at-1', refreshToken: 'rt-1' }), adapter);
      expect(await page.evaluate(() => window.app.plain.burst(3))).toBe(3);
      expect(await page.evaluate(() => window.app.plain.protocolSeen())).toBe(protocol);

      server.hold();
      const burst = page.evaluate(() => window.app.plain.burst(12));
      // Every query of the burst is either at the server or waiting in the plugin for a place (or,
      // were the plugin to hand the browser more than it should, more of them reach the server).
      for (;;) {
        const waiting = await page.evaluate(() => window.app.plain.waiting());
        if (server.held() + waiting === 12 || server.held() > together) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(server.held()).toBe(together);
      server.release();
      expect(await burst).toBe(12);
    },
  );
});
