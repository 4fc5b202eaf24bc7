import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import axios from 'axios';

// `nextschool-sandbox` as users run it: the built bin, in a child process. It is dist/ when dist/ is
// up to date (CI builds once, with `npm ci`); otherwise rollup's output built here into a private
// directory, so that dist/ is never rebuilt under the specs that read it (spec/redis/worker.mjs).

const root = join(__dirname, '..', '..');
const run = promisify(execFile);
let built: string;
const children: ChildProcess[] = [];
const temporary: string[] = [];

beforeAll(async () => {
  const fresh = await run(process.execPath, [join(root, 'scripts', 'build-if-stale.mjs'), '--check']).then(
    () => true,
    () => false,
  );
  if (fresh) {
    built = join(root, 'dist');
    return;
  }
  built = join(root, '.tmp', `sandbox-cli-spec-${process.pid}`);
  temporary.push(built);
  await run(process.execPath, [join(root, 'node_modules', 'rollup', 'dist', 'bin', 'rollup'), '-c', '--dir', built, '--silent'], {
    cwd: root,
  });
}, 180_000);

afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

afterEach(async () => {
  await Promise.all(
    children.splice(0).map((child) => {
      if (child.exitCode !== null || child.signalCode !== null) return undefined;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      return exited;
    }),
  );
});

/** Starts the bin and resolves with everything it printed once it is ready. */
function startCli(args: string[], bin = join(built, 'sandbox-cli.mjs')): Promise<{ child: ChildProcess; output: string; url: string }> {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = '';
    let errors = '';
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      if (output.includes('Press Ctrl+C to stop.'))
        resolve({ child, output, url: /listening on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output)![1]! });
    });
    child.stderr!.on('data', (chunk) => (errors += chunk));
    child.once('exit', (code) => reject(new Error(`nextschool-sandbox exited (${code}): ${errors}`)));
  });
}

const LOGIN = 'mutation Login($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken refreshToken expiresIn } }';

describe('nextschool-sandbox (the bin)', () => {
  it('prints its URL and ready-made credentials; a login and a query work against it', async () => {
    const { output, url } = await startCli(['--port', '0', '--access-ttl-ms', '5000', '--no-rate-limits']);
    expect(output).toMatch(/user:\s+demo\n/);
    expect(output).toMatch(/password:\s+demo-password\n/);
    expect(output).toContain('access 5 s, refresh 7 days, rotation off');
    const login = await axios.post(url, { query: LOGIN, variables: { u: 'demo', p: 'demo-password' } });
    expect(login.data.data.login.expiresIn).toBe(5);
    const students = await axios.post(
      url,
      { query: '{ students(limit: 2) { fullName } }' },
      { headers: { Authorization: `Bearer ${login.data.data.login.accessToken}` } },
    );
    expect(students.data.data.students).toEqual([{ fullName: 'เด็กชายสมชาย ใจดี' }, { fullName: expect.stringMatching(/^เด็กหญิง/) }]);
  });

  it('keeps the password out of every query string: only in the credentials line and shell variables', async () => {
    const { output } = await startCli(['--port', '0']);
    const lines = output.split('\n').filter((line) => line.includes('demo-password'));
    expect(lines).toEqual([
      expect.stringMatching(/^\s+password:\s+demo-password$/),
      expect.stringContaining("NEXTSCHOOL_PASSWORD='demo-password'"),
    ]);
    expect(output).toContain('\\"p\\":\\"$NEXTSCHOOL_PASSWORD\\"');
  });

  it('prints a bash example that runs as printed: login through GraphQL variables, then a query', async () => {
    const { output } = await startCli(['--port', '0', '--no-rate-limits']);
    const example = output.split('Try it')[1]!.split('\n').slice(1).join('\n').split('\n\n')[0]!.replace(/^ {2}/gm, '');
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', example]);
    expect(JSON.parse(stdout).data.students).toHaveLength(3);
    expect(stdout).toContain('เด็กชายสมชาย ใจดี');
  });

  it('honours --rotate, --refresh-ttl-ms and --no-cors', async () => {
    const { output, url } = await startCli(['--port', '0', '--rotate', '--refresh-ttl-ms', '60000', '--no-cors', '--latency-ms', '1']);
    expect(output).toContain('refresh 1 min, rotation on');
    expect(output).toContain('CORS off');
    const { refreshToken } = (await axios.post(url, { query: LOGIN, variables: { u: 'demo', p: 'demo-password' } })).data.data.login;
    const refreshed = await axios.post(url, {
      query: 'mutation R($t: String!) { refreshToken(refreshToken: $t) { refreshToken } }',
      variables: { t: refreshToken },
    });
    expect(refreshed.data.data.refreshToken.refreshToken).not.toBe(refreshToken);
    const preflight = await axios.request({
      url,
      method: 'OPTIONS',
      headers: { Origin: 'http://app.example' },
      validateStatus: () => true,
    });
    expect(preflight.status).toBe(405);
  });

  it('--help prints the flags and exits 0; a bad flag exits 2 with a readable message', async () => {
    const bin = join(built, 'sandbox-cli.mjs');
    const help = await run(process.execPath, [bin, '--help']);
    for (const flag of ['--port', '--access-ttl-ms', '--refresh-ttl-ms', '--rotate', '--no-rate-limits', '--no-cors', '--latency-ms'])
      expect(help.stdout).toContain(flag);
    const bad = await run(process.execPath, [bin, '--port', 'eighty']).catch((error) => error);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Expected `--port` to be a whole number ≥ 0, got `eighty`');
  });
});

describe('without the optional peer dependency graphql', () => {
  // A copy of the build outside the repository: `graphql` cannot be resolved from there.
  function isolatedCopy(): string {
    const dir = mkdtempSync(join(tmpdir(), 'agr-no-graphql-'));
    temporary.push(dir);
    cpSync(built, dir, { recursive: true });
    return dir;
  }

  it('the command exits 1 naming the missing peer and how to install it', async () => {
    const dir = isolatedCopy();
    const failure = await run(process.execPath, [join(dir, 'sandbox-cli.mjs'), '--port', '0']).catch((error) => error);
    expect(failure.code).toBe(1);
    expect(failure.stderr).toContain('needs the optional peer dependency "graphql" (16.x)');
    expect(failure.stderr).toContain('npm install --save-dev graphql@16');
  });

  it('import and require of /testing load; startSandboxServer() rejects with the same clear error', async () => {
    const dir = isolatedCopy();
    const esm = `import(${JSON.stringify(join(dir, 'testing.mjs'))}).then((m) => m.startSandboxServer()).then(() => console.log('started'), (e) => console.log(e.message))`;
    const cjs = `require(${JSON.stringify(join(dir, 'testing.cjs'))}).startSandboxServer().then(() => console.log('started'), (e) => console.log(e.message))`;
    for (const code of [esm, cjs]) {
      const { stdout } = await run(process.execPath, ['-e', code], { cwd: dir });
      expect(stdout.trim()).toBe(
        'axios-graphql-refresh/testing needs the optional peer dependency "graphql" (16.x), which is not installed. Install it with: npm install --save-dev graphql@16',
      );
    }
  });
});
