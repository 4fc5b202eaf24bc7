// The browser scenario: real Chromium (Debian's, driven by playwright-core with `executablePath`, as
// spec/browser/ does), one tab, this library's browser build bundled by esbuild (browser-page.mjs),
// served by the lean bench server on the API's own origin. A herd of `n` queries meets a revoked
// token through the browser's 6-connection HTTP/1.1 limit; the unloaded reference is a herd of 1.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Valid queries at once before each herd: the tab's 6 connections open, as in a page that has been working. */
export const WARM = 12;

async function bundle() {
  const result = await build({
    entryPoints: [join(here, 'browser-page.mjs')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

/** One herd in the tab: new client (`options`: more plugin options), warm connections, token revoked, `n` queries; with the server's counts. */
async function herdInTab(server, page, n, options) {
  await server.call('reset');
  const tokens = await server.call('issue');
  await page.evaluate(([t, o]) => window.bench.start(t, o), [tokens, options]);
  await page.evaluate((k) => window.bench.warm(k), WARM);
  await server.call('expire');
  const before = await server.call('stats');
  const result = await page.evaluate((k) => window.bench.herd(k), n);
  const after = await server.call('stats');
  return { ...result, refreshes: after.refreshes - before.refreshes, requests: after.requests - before.requests };
}

/**
 * Answers the browser has in flight ahead of the refresh's in a loaded run: the plugin hands it 5
 * requests at once, and the first answer starts the refresh.
 */
export const AHEAD = 4;

/**
 * The browser's own floor for the loaded refresh: `rounds` × 3 tries of AHEAD + 1 bare XHRs sent at
 * once on a valid token, each try's answers' read times after the first (browser-page.mjs,
 * bareAnswers). The last one's is what AHEAD answers read first cost the page.
 */
async function bareAnswers(server, page, rounds) {
  const { accessToken } = await server.call('issue');
  const once = () => page.evaluate(([k, t]) => window.bench.bareAnswers(k, t), [AHEAD + 1, accessToken]);
  await once(); // connections warm
  const lastRead = [];
  for (let i = 0; i < rounds * 3; i++) lastRead.push((await once())[AHEAD]);
  return lastRead;
}

/**
 * `rounds` rounds, each an unloaded herd of 1, a herd of `n`, and a herd of `n` with an admission
 * window of `window` requests (`rateLimit.concurrency`), in alternating order; returns each
 * kind's runs ({ answered, wallMs, refreshMs, handedMs, refreshRequestMs, refreshes, requests }), the
 * bare XHRs' reading times (`bare`, see bareAnswers), and the Chromium version. Throws when Chromium is not at CHROMIUM_PATH.
 */
export async function browserHerds(server, { n, rounds, window }) {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(`the browser scenario needs Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`);
  await server.call('page', await bundle());
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(String(error?.message ?? error)));
    await page.goto(server.url);
    await page.waitForFunction(() => typeof window.bench === 'object');
    for (let i = 0; i < 2; i++) await herdInTab(server, page, n, {}); // unmeasured: the code paths warm up
    const kinds = { unloaded: [1, {}], loaded: [n, {}], window: [n, { rateLimit: { concurrency: window } }] };
    const runs = { unloaded: [], loaded: [], window: [] };
    for (let r = 0; r < rounds; r++) {
      const order = Object.keys(kinds);
      for (const kind of r % 2 ? order.reverse() : order) runs[kind].push(await herdInTab(server, page, ...kinds[kind]));
    }
    const bare = await bareAnswers(server, page, rounds);
    if (errors.length) throw new Error(`the page threw: ${errors.join('; ')}`);
    return { ...runs, bare, version: browser.version() };
  } finally {
    await browser.close();
  }
}
