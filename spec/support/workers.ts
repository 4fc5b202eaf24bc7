import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';

// Forks spec/redis/worker.mjs processes and talks to them over IPC.

export interface Worker {
  child: ChildProcess;
  send(cmd: string): void;
  /** The next message with `key` set (e.g. 'ready', 'warmed', 'done', 'refreshing'). */
  next<T = Record<string, unknown>>(key: string): Promise<T>;
  stop(): Promise<void>;
}

export function startWorker(env: Record<string, string>): Worker {
  const child = fork(join(__dirname, '..', 'redis', 'worker.mjs'), [], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const inbox: Array<Record<string, unknown>> = [];
  const waiting: Array<{ key: string; resolve: (m: any) => void }> = [];
  child.on('message', (message: Record<string, unknown>) => {
    const i = waiting.findIndex((w) => message[w.key] !== undefined);
    if (i >= 0) waiting.splice(i, 1)[0]!.resolve(message);
    else inbox.push(message);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    send: (cmd) => child.connected && child.send({ cmd }),
    next(key) {
      const i = inbox.findIndex((m) => m[key] !== undefined);
      if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0] as never);
      return new Promise((resolve) => waiting.push({ key, resolve }));
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        if (child.connected) child.send({ cmd: 'exit' });
        const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
