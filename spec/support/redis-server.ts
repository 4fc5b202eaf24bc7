import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import net from 'node:net';
import { within } from './events';

// Starts a throwaway redis-server on a free loopback port for the Redis tests. Locally, the tests
// skip (with a message) when redis-server is not installed; CI sets REQUIRE_REDIS=1, so a missing
// server fails the run instead of skipping silently.

export function hasRedisServer(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    if (process.env.REQUIRE_REDIS === '1') throw new Error('REQUIRE_REDIS=1 but redis-server is not installed');
    console.warn('redis-server not found: skipping the Redis tests (install it, e.g. apt-get install redis-server)');
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface RedisProcess {
  port: number;
  /** Stops the server (SIGKILL: it goes away as in a crash; nothing is saved). */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: the server stalls (connections stay open, nothing is answered) and resumes. */
  pause(): void;
  resume(): void;
}

export interface RedisServerOptions {
  /** Reuse a port (a restart). @default a free one */
  port?: number;
  /** Keep an RDB file (`dump.rdb`) in this directory and load it at start: restarts from a snapshot. @default none */
  dir?: string;
}

/** Resolves once redis-server says it accepts connections (its own log line), rejects if it exits first. */
function ready(child: ChildProcess, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (!/Ready to accept connections/.test(log)) return;
      child.stdout!.off('data', onData);
      child.stdout!.resume(); // the rest of its log is not read, but must not fill the pipe
      child.off('exit', onExit);
      resolve();
    };
    const onExit = () => reject(new Error(`redis-server exited before accepting connections on port ${port}:\n${log}`));
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });
}

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisProcess> {
  const port = options.port ?? (await freePort());
  const persistence = options.dir ? ['--dir', options.dir, '--dbfilename', 'dump.rdb', '--save', ''] : ['--save', ''];
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', ...persistence, '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // An event, not a poll: redis-server logs this line once it listens (after loading a snapshot).
  await within(ready(child, port), `redis-server did not start on port ${port}`, 20_000).catch((error) => {
    child.kill('SIGKILL');
    throw error;
  });
  return {
    port,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGCONT');
        child.kill('SIGKILL');
      }
      await exited;
    },
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
  };
}
