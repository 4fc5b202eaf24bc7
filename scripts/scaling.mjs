// `npm run scaling` (needs redis-server): measures refreshes, logins and failures per token expiry
// when 4 processes share one service account, with and without RedisTokenStore, and with Redis
// restarted (empty) before every expiry. Writes the table into docs/scaling.md between the
// `scaling:begin` / `scaling:end` markers (SCALING_OUT=<file> writes elsewhere; SCALING_EXPIRIES and
// SCALING_CONCURRENCY make a short run to check the script itself).
import { fork, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import axios from 'axios';
import { Redis } from 'ioredis';
import { startSandboxServer } from '../dist/testing.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const PROCESSES = 4;
const CONCURRENCY = Number(process.env.SCALING_CONCURRENCY) || 100;
const EXPIRIES = Number(process.env.SCALING_EXPIRIES) || 3;
const OUT = process.env.SCALING_OUT ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'scaling.md');

const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

function worker(env) {
  const child = fork(join(here, '..', 'spec', 'redis', 'worker.mjs'), [], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const inbox = [];
  const waiting = [];
  child.on('message', (m) => {
    const i = waiting.findIndex((w) => m[w.key] !== undefined);
    if (i >= 0) waiting.splice(i, 1)[0].resolve(m);
    else inbox.push(m);
  });
  return {
    send: (cmd) => child.send({ cmd }),
    next: (key) => {
      const i = inbox.findIndex((m) => m[key] !== undefined);
      return i >= 0 ? Promise.resolve(inbox.splice(i, 1)[0]) : new Promise((resolve) => waiting.push({ key, resolve }));
    },
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.send({ cmd: 'exit' });
        setTimeout(() => child.kill('SIGKILL'), 2000).unref();
      }),
  };
}

function startRedis(port) {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const ready = async () => {
    for (let i = 0; i < 100; i++) {
      const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      client.on('error', () => {});
      const ok = await client.connect().then(
        () => client.ping(),
        () => null,
      );
      client.disconnect();
      if (ok === 'PONG') return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('redis-server did not start');
  };
  return { ready, kill: () => (child.kill('SIGKILL'), exited) };
}

let redisServer;

async function scenario(label, { store, rotating, credentials, redisPort, restartRedis = false }) {
  const sandbox = await startSandboxServer({ rotateRefreshTokens: rotating, rateLimits: false });
  const { data } = await axios.post(sandbox.url, {
    query: 'mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken refreshToken expiresIn } }',
    variables: { u: sandbox.username, p: sandbox.password },
  });
  const tokens = data.data.login;
  const key = `scaling:${Math.random().toString(36).slice(2)}`;
  if (store === 'redis') {
    const client = new Redis({ port: redisPort, host: '127.0.0.1' });
    await client.set(key, JSON.stringify(tokens));
    await client.quit();
  }
  const env = {
    STORE: store,
    REDIS_PORT: String(redisPort),
    KEY: key,
    TOKENS: JSON.stringify(tokens),
    URL: sandbox.url,
    ROTATING: rotating ? '1' : '0',
    CONCURRENCY: String(CONCURRENCY),
    ...(credentials ? { USERNAME: sandbox.username, PASSWORD: sandbox.password } : {}),
  };
  const workers = Array.from({ length: PROCESSES }, () => worker(env));
  await Promise.all(workers.map((w) => w.next('ready')));
  workers.forEach((w) => w.send('warm'));
  await Promise.all(workers.map((w) => w.next('warmed')));
  const start = { refreshes: sandbox.stats.refreshes, logins: sandbox.stats.logins };
  let failures = 0;
  const kinds = new Map();
  for (let e = 0; e < EXPIRIES; e++) {
    if (restartRedis) {
      // Redis restarts and forgets everything; the processes still hold valid tokens.
      await redisServer.kill();
      redisServer = startRedis(redisPort);
      await redisServer.ready();
    }
    sandbox.expireAccessTokens();
    workers.forEach((w) => w.send('go'));
    for (const report of await Promise.all(workers.map((w) => w.next('done')))) {
      failures += report.errors.length;
      for (const error of report.errors) kinds.set(error.split(':')[0], (kinds.get(error.split(':')[0]) ?? 0) + 1);
    }
  }
  await Promise.all(workers.map((w) => w.stop()));
  await sandbox.close();
  const per = (n) => (n / EXPIRIES).toFixed(1).replace(/\.0$/, '');
  return [
    label,
    per(sandbox.stats.refreshes - start.refreshes),
    per(sandbox.stats.logins - start.logins),
    `${per(failures)}${failures ? ` (${[...kinds].map(([k, v]) => `${k} ${per(v)}`).join(', ')})` : ''}`,
  ];
}

const port = await freePort();
redisServer = startRedis(port);
await redisServer.ready();
const rows = [
  await scenario('per-process memory store, refresh tokens not rotating', {
    store: 'memory',
    rotating: false,
    credentials: false,
    redisPort: port,
  }),
  await scenario('per-process memory store, rotating, no credentials', {
    store: 'memory',
    rotating: true,
    credentials: false,
    redisPort: port,
  }),
  await scenario('per-process memory store, rotating, service credentials', {
    store: 'memory',
    rotating: true,
    credentials: true,
    redisPort: port,
  }),
  await scenario('RedisTokenStore, refresh tokens not rotating', { store: 'redis', rotating: false, credentials: false, redisPort: port }),
  await scenario('RedisTokenStore, rotating', { store: 'redis', rotating: true, credentials: false, redisPort: port }),
  await scenario('RedisTokenStore, rotating, Redis restarted empty before each expiry', {
    store: 'redis',
    rotating: true,
    credentials: false,
    redisPort: port,
    restartRedis: true,
  }),
];
await redisServer.kill();

const table = [
  `${PROCESSES} processes × ${CONCURRENCY} concurrent queries per expiry, ${EXPIRIES} expiries, figures per expiry (\`npm run scaling\`, ${new Date().toISOString().slice(0, 10)}):`,
  '',
  '| setup | refreshes | logins | failed requests |',
  '| --- | --- | --- | --- |',
  ...rows.map((row) => `| ${row.join(' | ')} |`),
].join('\n');
console.log(table);
const page = readFileSync(OUT, 'utf8');
const begin = '<!-- scaling:begin (written by npm run scaling) -->';
const end = '<!-- scaling:end -->';
if (!page.includes(begin) || !page.includes(end)) throw new Error(`${OUT} has no scaling markers`);
writeFileSync(OUT, `${page.slice(0, page.indexOf(begin) + begin.length)}\n${table}\n${page.slice(page.indexOf(end))}`);
console.log(`\nwritten to ${OUT}`);
