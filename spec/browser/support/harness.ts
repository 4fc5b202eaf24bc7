import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

// Real Chromium for the browser tests: Debian's package (playwright's own downloads cannot work
// here), driven by playwright-core; the app bundled by esbuild from the package's browser build,
// as a front-end build would; the page served on its own origin (http://localhost:PORT), the API on another
// (the sandbox on http://127.0.0.1:PORT2), so every request is a real CORS request.

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM_PATH);

/**
 * `describe` where Chromium is installed. Elsewhere `describe.skip` with a warning, or, under
 * REQUIRE_BROWSER (CI, where skipping would hide the suite), an error at load.
 */
export function describeWithChromium(): jest.Describe {
  if (hasChromium) return describe;
  if (process.env.REQUIRE_BROWSER) throw new Error(`Chromium not found at ${CHROMIUM_PATH} (apt-get install chromium)`);
  console.warn(`SKIPPED: the browser tests need Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`);
  return describe.skip;
}

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

/** Launches Chromium with a fresh profile (playwright makes a temporary user-data dir and removes it). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS });
}

/**
 * Chromium and the bundled app, for the tests of one spec file: made before them where Chromium is
 * installed, the browser closed after them. Read `.browser` and `.script` inside tests and hooks.
 */
export function chromiumForFile(): { browser: Browser; script: string } {
  const shared = {} as { browser: Browser; script: string };
  beforeAll(async () => {
    if (!hasChromium) return;
    [shared.browser, shared.script] = await Promise.all([launchChromium(), bundleApp()]);
  });
  afterAll(async () => {
    await shared.browser?.close();
  });
  return shared;
}

const root = path.join(__dirname, '..', '..', '..');

/**
 * The app imports the library's sources (for types); the page gets the package as a front-end
 * build resolves it: the `browser` condition of package.json, i.e. dist/browser-esm (docs/browser.md,
 * "weight"), for `/browser` too. dist/ is built first when stale.
 */
const packageAsBrowsersGetIt: Plugin = {
  name: 'package-as-browsers-get-it',
  setup(b) {
    b.onResolve({ filter: /\/lib\/(index|browser\/index)$/ }, (args) => ({
      path: path.join(root, 'dist', 'browser-esm', args.path.endsWith('browser/index') ? 'browser/index.mjs' : 'index.mjs'),
    }));
  },
};

/** Bundles spec/browser/app/main.ts (the library's browser build, axios from node_modules) for the page. */
export async function bundleApp(): Promise<string> {
  const built = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-if-stale.mjs')], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('npm run build failed');
  const result = await build({
    entryPoints: [path.join(__dirname, '..', 'app', 'main.ts')],
    plugins: [packageAsBrowsersGetIt],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

export interface PageServer {
  /** `http://localhost:PORT`: another origin than the sandbox's `http://127.0.0.1:PORT2`. */
  origin: string;
  close(): Promise<void>;
}

/** The app's page: it loads the bundle from `/app.js`. */
export const APP_HTML = '<!doctype html><meta charset="utf-8"><title>app</title><script src="/app.js"></script>';

/**
 * Serves the page and its script; `/sandboxed?api=…` is a page embedding the app in
 * `<iframe sandbox="allow-scripts">` (an opaque origin: Web Locks, IndexedDB and localStorage refuse).
 */
export async function startPageServer(script: string): Promise<PageServer> {
  const sandboxed = (url: string) =>
    `<!doctype html><meta charset="utf-8"><title>host</title><iframe sandbox="allow-scripts" src="/${new URL(url, 'http://x').search}"></iframe>`;
  const server = http.createServer((req, res) => {
    const page = req.url?.startsWith('/sandboxed') ? sandboxed(req.url) : APP_HTML;
    const [type, body] = req.url?.startsWith('/app.js')
      ? ['text/javascript', script]
      : req.url === '/favicon.ico'
        ? ['', '']
        : ['text/html', page];
    res.writeHead(type ? 200 : 404, { 'content-type': `${type || 'text/plain'}; charset=utf-8`, 'cache-control': 'no-store' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://localhost:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Tabs of one browser context: they share storage, locks and BroadcastChannel, as tabs of one profile do. */
export async function openTabs(context: BrowserContext, origin: string, apiUrl: string, count: number): Promise<Page[]> {
  const pages: Page[] = [];
  for (let i = 0; i < count; i++) pages.push(await openTab(context, origin, apiUrl));
  return pages;
}

/** Errors thrown in any page (uncaught), collected so a test can assert there were none. */
export const pageErrors: string[] = [];

export async function openTab(context: BrowserContext, origin: string, apiUrl: string): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(`${error.name}: ${error.message}`));
  await page.goto(`${origin}/?api=${encodeURIComponent(apiUrl)}`);
  await page.waitForFunction(() => typeof window.app === 'object');
  return page;
}
