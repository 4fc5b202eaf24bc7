// The rate-limit scenarios: the NextSchool preset against the package's sandbox with its rate limits
// on, each client in a process of its own (paced-worker.mjs), the sandbox in another
// (sandbox-worker.mjs); with `redis`, a real redis-server started here on a free loopback port, and
// every process's tokens in one RedisTokenStore.
import { fork, spawn } from 'node:child_process';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** A forked process answering one command at a time: `call(message)` resolves its next answer. */
function worker(file) {
  const child = fork(join(here, file), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = [];
  child.on('message', (m) => {
    const next = pending.shift();
    if (m?.error) next?.reject(new Error(`${file}: ${m.error}`));
    else next?.resolve(m);
  });
  child.on('exit', (code) => {
    for (const p of pending.splice(0)) p.reject(new Error(`${file} exited with code ${code}`));
  });
  return {
    call: (message) => new Promise((resolve, reject) => (pending.push({ resolve, reject }), child.send(message))),
    kill: () => child.kill('SIGKILL'),
    close: () =>
      child.exitCode !== null ? Promise.resolve() : new Promise((resolve) => (child.once('exit', resolve), child.send({ cmd: 'close' }))),
  };
}

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

const pong = (port) =>
  new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(200);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => (socket.destroy(), resolve(data.toString().startsWith('+PONG'))));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });

/** A throwaway redis-server (nothing saved), as spec/support/redis-server.ts starts for the tests. */
export async function startRedis() {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const failed = new Promise((resolve) => child.once('error', resolve));
  for (let i = 0; i < 100; i++) {
    if (await Promise.race([pong(port), failed.then(() => 'error')]).then((ok) => ok === true)) {
      return { port, stop: () => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGKILL'))) };
    }
    if (child.exitCode !== null || (await Promise.race([failed, Promise.resolve(undefined)]))) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error('redis-server did not start (is it installed? apt-get install redis-server)');
}

/** The least time `total` requests take under `perUser` per fixed window of `windowMs`: the last window's start. */
export const minimumMs = (total, perUser, windowMs) => (Math.ceil(total / perUser) - 1) * windowMs;

/**
 * `processes` processes × `perProcess` queries at once, against a sandbox started with
 * `sandbox` (its options). `rateLimit`: the client's option, or undefined for none (the preset's
 * defaults). Wall time runs from the moment every process is ready and told to go to the last
 * answer. Gives up after `deadlineMs` (every process is killed, `timedOut` is set).
 */
export async function paced({ sandbox: sandboxOptions, processes = 1, perProcess, rateLimit, redis: useRedis = false, deadlineMs }) {
  const sandbox = worker('sandbox-worker.mjs');
  const redis = useRedis ? await startRedis() : undefined;
  const clients = Array.from({ length: processes }, () => worker('paced-worker.mjs'));
  try {
    const { url, username, password } = await sandbox.call({ cmd: 'start', options: sandboxOptions });
    const key = `bench:paced:${Date.now()}`;
    await Promise.all(clients.map((c) => c.call({ cmd: 'init', url, username, password, rateLimit, redisPort: redis?.port, key })));
    const started = performance.now();
    let timer;
    const deadline = new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), deadlineMs)));
    const runs = await Promise.race([
      Promise.all(clients.map((c, k) => c.call({ cmd: 'go', n: perProcess, offset: k * perProcess }))),
      deadline,
    ]);
    clearTimeout(timer);
    const wallMs = performance.now() - started;
    const server = await sandbox.call({ cmd: 'stats' });
    const total = processes * perProcess;
    if (runs === 'timeout') {
      for (const c of clients) c.kill();
      return { total, answered: 0, settled: 0, failures: {}, wallMs, server, timedOut: true, processes: [] };
    }
    const failures = {};
    for (const r of runs) for (const [k, v] of Object.entries(r.failures)) failures[k] = (failures[k] ?? 0) + v;
    return {
      total,
      answered: runs.reduce((a, r) => a + r.answered, 0),
      settled: total, // every query resolved or rejected before the deadline
      failures,
      wallMs,
      server,
      timedOut: false,
      processes: runs.map((r) => ({ answered: r.answered, wallMs: r.wallMs, stats: r.stats })),
    };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await sandbox.close();
    await redis?.stop();
  }
}
