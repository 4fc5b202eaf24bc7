import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

// Harness of spec/redis/chaos.spec.ts: bundles the sources once for the worker processes (esbuild,
// well under a second, instead of the full rollup build) and drives spec/redis/chaos-worker.mjs.

const root = join(__dirname, '..', '..');

export interface Bundle {
  index: string;
  redis: string;
  remove(): void;
}

export async function bundleForWorkers(): Promise<Bundle> {
  const { build } = await import('esbuild');
  const outdir = join(root, '.tmp', `chaos-bundle-${process.pid}`);
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: { index: join(root, 'lib', 'index.ts'), redis: join(root, 'lib', 'redis', 'index.ts') },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node18',
    outExtension: { '.js': '.mjs' },
    packages: 'external',
    logLevel: 'silent',
  });
  return {
    index: join(outdir, 'index.mjs'),
    redis: join(outdir, 'redis.mjs'),
    remove: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

export interface QueryReport {
  answered: number;
  errors: string[];
  maxMs: number;
  users: Array<string | null>;
  /** Users of the requests sent after the last `mark` command. */
  usersAfterMark: Array<string | null>;
  withoutToken: number;
  tookMs: number;
}

export interface ChaosWorker {
  child: ChildProcess;
  /** Sends a command and resolves with the worker's reply. */
  call<T = Record<string, unknown>>(cmd: string, args?: Record<string, unknown>): Promise<T>;
  query(n?: number): Promise<QueryReport>;
  /** Resolves when the worker reports `event` (counted: the nth report resolves the nth wait). */
  event(name: string): Promise<void>;
  /** How many times it reported `event`. */
  count(name: string): number;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export function startChaosWorker(bundle: Bundle, env: Record<string, string>): ChaosWorker {
  const child = fork(join(__dirname, '..', 'redis', 'chaos-worker.mjs'), [], {
    env: { ...process.env, ...env, BUNDLE_INDEX: bundle.index, BUNDLE_REDIS: bundle.redis },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let next = 0;
  const replies = new Map<number, (value: any) => void>();
  const events = new Map<string, number>();
  const waits: Array<{ name: string; nth: number; resolve: () => void }> = [];
  child.on('message', (message: { reply?: number; event?: string }) => {
    if (message.reply !== undefined) {
      replies.get(message.reply)?.(message);
      replies.delete(message.reply);
    } else if (message.event) {
      const n = (events.get(message.event) ?? 0) + 1;
      events.set(message.event, n);
      for (const wait of waits.filter((w) => w.name === message.event && w.nth <= n)) {
        waits.splice(waits.indexOf(wait), 1);
        wait.resolve();
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const awaited = new Map<string, number>();
  const worker: ChaosWorker = {
    child,
    call(cmd, args = {}) {
      const id = next++;
      return new Promise((resolve, reject) => {
        replies.set(id, resolve);
        exited.then(() => reject(new Error(`worker exited before answering ${cmd}`)));
        child.send({ cmd, id, ...args });
      });
    },
    query: (n = 10) => worker.call<QueryReport>('query', { n }),
    event(name) {
      const nth = (awaited.get(name) ?? 0) + 1;
      awaited.set(name, nth);
      if ((events.get(name) ?? 0) >= nth) return Promise.resolve();
      return new Promise((resolve) => waits.push({ name, nth, resolve }));
    },
    count: (name) => events.get(name) ?? 0,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
  return worker;
}
