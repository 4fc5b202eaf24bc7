import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { closeServers, openServer, outcome } from '../support/contract';
import { deferred, within } from '../support/events';
import type { TestServer } from '../support/graphql-server';

// No timer of the library keeps a process alive once no request is pending (docs/reliability.md,
// "Guarantees": nothing is left running).
// Each case runs the plugin in a child process (fixtures/rate-limit-child.ts, bundled with esbuild)
// against a server in this process, and waits for the child to exit on its own.

afterEach(closeServers);

describe('attachTokenRefresh(instance): no timer outlives the last pending request', () => {
  const root = path.resolve(__dirname, '../..');
  const bundle = path.join(root, 'node_modules/.cache/contract-timers', `child-${process.pid}.cjs`);
  const children = new Set<ChildProcess>();

  beforeAll(() => {
    mkdirSync(path.dirname(bundle), { recursive: true });
    // The child runs the plugin's sources bundled (axios resolved from node_modules, the user's copy).
    const built = spawnSync(
      path.join(root, 'node_modules/.bin/esbuild'),
      [
        path.join(__dirname, 'fixtures/rate-limit-child.ts'),
        '--bundle',
        '--platform=node',
        '--format=cjs',
        '--external:axios',
        `--outfile=${bundle}`,
        '--log-level=error',
      ],
      { encoding: 'utf8' },
    );
    if (built.status !== 0) throw new Error(`esbuild failed: ${built.stderr}`);
  });

  afterAll(() => rmSync(bundle, { force: true }));

  afterEach(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    children.clear();
  });

  function runChild(server: TestServer, mode: string, { expired = false } = {}) {
    const tokens = server.issueTokens();
    if (expired) server.expireAccessTokens();
    const child = spawn(process.execPath, [bundle, server.url, mode], {
      env: { ...process.env, CHILD_ACCESS_TOKEN: tokens.accessToken, CHILD_REFRESH_TOKEN: tokens.refreshToken },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.add(child);
    const result = deferred<string>();
    const state = { alive: [] as string[] };
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += String(chunk);
      if (!out.includes('\n')) return;
      const line = JSON.parse(out.split('\n')[0]);
      state.alive = line.alive;
      result.resolve(line.result);
    });
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    exit.then(() => result.reject(new Error('the child exited without settling its request')));
    return { result: result.promise, exit, state };
  }

  it('a child process whose only request completed exits on its own (control)', async () => {
    const server = await openServer();
    const child = runChild(server, 'plain');

    expect(await within(child.result, 'the child never settled its request', 15_000)).toBe('resolved');
    expect(await within(child.exit, 'the child process did not exit after its only request completed', 10_000)).toBe(0);
  }, 40_000);

  it('a child process exits on its own after a refresh (no deadline timer left behind)', async () => {
    const server = await openServer();
    const child = runChild(server, 'plain', { expired: true });

    expect(await within(child.result, 'the child never settled its request', 15_000)).toBe('resolved');
    expect(server.stats.refreshes).toBe(1);
    const exit = await outcome(within(child.exit, 'the child was still alive 10 s after its only request completed', 10_000));
    if (exit.error) exit.error.message += `; still active in it then: ${child.state.alive.join(', ')}`;
    expect(exit.error?.message).toBeUndefined();
    expect(exit.value).toBe(0);
  }, 40_000);

  it('a child process with rateLimit { intervalCap, interval: 20 s } exits on its own after its only request', async () => {
    const server = await openServer();
    const child = runChild(server, 'paced');

    expect(await within(child.result, 'the child never settled its request', 15_000)).toBe('resolved');
    const exit = await outcome(within(child.exit, 'the child was still alive 10 s after its only request completed', 10_000));
    if (exit.error) exit.error.message += `; still active in it then: ${child.state.alive.join(', ')}`;
    expect(exit.error?.message).toBeUndefined();
    expect(exit.value).toBe(0);
  }, 40_000);

  it('a child process exits on its own after its request, waiting out RATE_LIMITED (retryAfter 20 s), was aborted', async () => {
    const server = await openServer();
    server.set({ declineNext: { operationName: 'Students', count: 1, kind: 'graphql', retryAfterSeconds: 20 } });
    const child = runChild(server, 'abort-while-rate-limited');

    expect(await within(child.result, 'the child never settled its request', 15_000)).toBe('ERR_CANCELED');
    expect(server.stats.declined).toBe(1);
    const exit = await outcome(within(child.exit, 'the child was still alive 10 s after its only request was aborted', 10_000));
    if (exit.error) exit.error.message += `; still active in it then: ${child.state.alive.join(', ')}`;
    expect(exit.error?.message).toBeUndefined();
    expect(exit.value).toBe(0);
  }, 40_000);
});
