import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import axios from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { build } from 'esbuild';
import fc from 'fast-check';
import {
  attachTokenRefresh,
  createGraphQLClient,
  isGraphQLRequestError,
  isLoginError,
  isSessionExpiredError,
  isTokenRefreshError,
} from '../../lib';
import { createAuthErrorDetector, rateLimitOf } from '../../lib/policy/detect';

// Hostile answers — non-JSON, HTML, empty, huge, deeply nested, `errors` that is not an array,
// `extensions: null`, `__proto__`/`constructor` keys — for data requests and for the refresh itself.
// Never an uncaught exception, never a polluted prototype, always a typed outcome.

const RUNS = Math.max(200, Math.floor((Number(process.env.PROPERTY_RUNS) || 1_000) / 2));

const nastyKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'errors', 'data', 'extensions', 'code', 'retryAfter', 'path');
const nastyScalar = fc.oneof(
  fc.constantFrom(null, undefined, '', 'UNAUTHENTICATED', 'RATE_LIMITED', 'FORBIDDEN', -1, 1e308, Number.NaN, true),
  fc.string({ maxLength: 20 }),
  fc.integer(),
);
const nastyValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    nastyScalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(nastyKey, fc.string({ maxLength: 6 })), tie('value'), { maxKeys: 4 }),
  ),
})).value;

const errorsShape = fc.oneof(
  nastyValue,
  fc.array(
    fc.record(
      {
        message: nastyValue,
        extensions: fc.oneof(fc.constant(null), nastyValue, fc.record({ code: nastyScalar, retryAfter: nastyScalar })),
        path: nastyValue,
      },
      { requiredKeys: [] },
    ),
    { maxLength: 3 },
  ),
);

const execFileAsync = promisify(execFile);

const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

/** A body as text, since hostile servers send text: JSON of nasty values, or not JSON at all. */
const body = fc.oneof(
  fc.record({ data: nastyValue, errors: errorsShape }, { requiredKeys: [] }).map((b) => JSON.stringify(b)),
  fc.array(fc.record({ data: nastyValue, errors: errorsShape }, { requiredKeys: [] }), { maxLength: 3 }).map((b) => JSON.stringify(b)),
  nastyValue.map((v) => JSON.stringify(v) ?? ''),
  fc.constantFrom(
    '',
    '<html><body>502 Bad Gateway</body></html>',
    '{"errors":',
    'null',
    '[]',
    '"UNAUTHENTICATED"',
    deep(5_000),
    'x'.repeat(1_000_000),
  ),
  fc.string({ maxLength: 200 }),
  fc.constant(
    '{"__proto__":{"polluted":true},"errors":[{"extensions":{"code":"UNAUTHENTICATED"},"constructor":{"prototype":{"polluted":true}}}]}',
  ),
);

const answer = fc.record({
  status: fc.constantFrom(200, 200, 200, 400, 401, 403, 429, 500, 502),
  body,
  contentType: fc.constantFrom('application/json', 'text/html', 'text/plain'),
});

function typed(error: unknown): boolean {
  return (
    axios.isAxiosError(error) ||
    isGraphQLRequestError(error) ||
    isTokenRefreshError(error) ||
    isSessionExpiredError(error) ||
    isLoginError(error)
  );
}

/** One request through the plugin and client against a mocked server answering `data` and `refresh`. */
async function runOnce(data: Answer, refresh: Answer) {
  const api = axios.create({ baseURL: 'https://api.example.test/' });
  const mock = new MockAdapter(api);
  attachTokenRefresh(api, {
    tokens: { accessToken: 'a', refreshToken: 'r' },
    retry: { retries: 1, retryDelay: () => 0 },
    maxRateLimitDelayMs: 5,
    refreshTimeoutMs: 1_000,
  });
  mock.onPost('').reply((config) => {
    const a = String(config.data).includes('RefreshToken') ? refresh : data;
    // Text, as a server sends it: axios' own transformResponse parses what looks like JSON.
    return [a.status, a.body, { 'content-type': a.contentType, 'retry-after': '0' }];
  });
  return createGraphQLClient(api)
    .query('query Q { x }')
    .then(
      (value) => ({ ok: true as const, value }),
      (error) => ({ ok: false as const, error }),
    );
}
type Answer = { status: number; body: string; contentType: string };

// Uncaught exceptions and unhandled rejections cannot be observed inside Jest: it swaps the process'
// listeners for its own and the test sees a sandboxed `process` (a listener registered here never
// fires). So runs drawn from the same generators also go through the plugin (options as in runOnce)
// in a child Node process — sources bundled by esbuild — whose own `unhandledRejection` and
// `uncaughtException` listeners report what was left behind.
// The child takes `leak` to leave one of each on purpose: the canary test proves the net catches them.
const CHILD = `
const axios = require('axios');
const MockAdapter = require('axios-mock-adapter');
const fs = require('node:fs');
const { attachTokenRefresh, createGraphQLClient } = require('./lib/index.ts');
const uncaught = [];
process.on('unhandledRejection', (e) => uncaught.push('unhandledRejection: ' + (e && e.message)));
process.on('uncaughtException', (e) => uncaught.push('uncaughtException: ' + (e && e.message)));
const runs = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const leak = process.env.LEAK;
(async () => {
  for (const [data, refresh] of runs) {
    const api = axios.create({ baseURL: 'https://api.example.test/' });
    const mock = new MockAdapter(api);
    attachTokenRefresh(api, { tokens: { accessToken: 'a', refreshToken: 'r' }, retry: { retries: 1, retryDelay: () => 0 }, maxRateLimitDelayMs: 5, refreshTimeoutMs: 1000 });
    mock.onPost('').reply((config) => {
      const a = String(config.data).includes('RefreshToken') ? refresh : data;
      if (leak === 'rejection') void Promise.reject(new Error('left unhandled on purpose'));
      if (leak === 'exception') setImmediate(() => { throw new Error('thrown outside any promise on purpose'); });
      return [a.status, a.body, { 'content-type': a.contentType, 'retry-after': '0' }];
    });
    await createGraphQLClient(api).query('query Q { x }').catch(() => {});
    await new Promise((resolve) => setImmediate(resolve)); // Node reports leftovers after a turn
  }
  // Timers the runs left (deadlines, pauses) end here; whatever they throw is reported too. Waits
  // until no timer is left (checked each time this one fires, when it is no longer active itself);
  // the bound only ends a broken run.
  for (const giveUpAt = Date.now() + 30000; process.getActiveResourcesInfo().includes('Timeout') && Date.now() < giveUpAt; ) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  process.stdout.write(JSON.stringify({ runs: runs.length, uncaught }));
  process.exit(0);
})();
`;

/** Runs `runs` through the plugin in a child Node process; resolves to what it left uncaught. */
async function uncaughtInChild(runs: Array<[Answer, Answer]>, leak?: 'rejection' | 'exception') {
  const dir = mkdtempSync(join(tmpdir(), 'hostile-'));
  try {
    const bundle = join(dir, 'child.cjs');
    await build({
      stdin: { contents: CHILD, resolveDir: join(__dirname, '../..'), loader: 'js' },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: bundle,
      logLevel: 'silent',
    });
    writeFileSync(join(dir, 'runs.json'), JSON.stringify(runs));
    const { stdout } = await execFileAsync(process.execPath, [bundle, join(dir, 'runs.json')], {
      env: { ...process.env, LEAK: leak ?? '' },
      maxBuffer: 64 * 1024 * 1024,
    });
    return JSON.parse(stdout) as { runs: number; uncaught: string[] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('hostile answers', () => {
  it('the default detectors never throw and never pollute a prototype', () => {
    const detect = createAuthErrorDetector(['UNAUTHENTICATED'], [401]);
    fc.assert(
      fc.property(answer, ({ status, body: text }) => {
        for (const data of [text, safeParse(text)]) {
          const response = { status, data, headers: { 'retry-after': 'soon' }, config: {} } as never;
          expect(typeof detect(response)).toBe('boolean');
          const limited = rateLimitOf(response);
          if (limited) expect(Number.isFinite(limited.delayMs) && limited.delayMs >= 0).toBe(true);
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  });

  it('the plugin and client always settle with data or a typed error, for data requests and refreshes alike', async () => {
    await fc.assert(
      fc.asyncProperty(answer, answer, async (data, refresh) => {
        const outcome = await runOnce(data, refresh);
        if (!outcome.ok) expect(typed(outcome.error) ? 'typed' : outcome.error).toBe('typed');
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
      }),
      { numRuns: RUNS },
    );
  }, 300_000);

  it('leaves no unhandled rejection and no uncaught exception behind (observed in a child process)', async () => {
    const runs = fc.sample(fc.tuple(answer, answer), { numRuns: Math.min(RUNS, 300) });
    const report = await uncaughtInChild(runs);
    expect(report.runs).toBe(runs.length);
    expect(report.uncaught).toEqual([]);
  }, 120_000);

  it('canary: the child process reports a rejection or an exception a run leaves behind', async () => {
    const plain: Answer = { status: 200, body: '{"data":{"x":1}}', contentType: 'application/json' };
    await expect(uncaughtInChild([[plain, plain]], 'rejection')).resolves.toEqual({
      runs: 1,
      uncaught: ['unhandledRejection: left unhandled on purpose'],
    });
    await expect(uncaughtInChild([[plain, plain]], 'exception')).resolves.toEqual({
      runs: 1,
      uncaught: ['uncaughtException: thrown outside any promise on purpose'],
    });
  }, 60_000);
});

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
