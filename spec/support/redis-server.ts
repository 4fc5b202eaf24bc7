import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import net from 'node:net';

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

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(200);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
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

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisProcess> {
  const port = options.port ?? (await freePort());
  const persistence = options.dir ? ['--dir', options.dir, '--dbfilename', 'dump.rdb', '--save', ''] : ['--save', ''];
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', ...persistence, '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let i = 0; i < 100; i++) {
    if (await ping(port)) {
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
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not start on port ${port}`);
}
