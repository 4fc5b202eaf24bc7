// One application process for spec/redis/chaos.spec.ts: the plugin on RedisTokenStore, bundled from
// the sources (spec/support/bundle.ts), driven over IPC. Every outgoing request is recorded by an
// adapter wrapper: which user's token it carried (the sandbox's tokens are JWTs naming the user),
// or that it carried none. Commands: query, setTokens, logout, release, close.
//
// HOLD_REFRESH=1 holds each refresh request before it is sent (it reports `refreshing`) until the
// parent sends `release` (or forever: then the parent SIGKILLs the process, holding the lock).
// HOLD_ANSWER=1 holds each refresh *answer* instead: the server has rotated the refresh token, the
// process has not seen the new one yet (it reports `answered`) — the moment a fault costs the session.
// Process warnings (the store's eviction warning) are reported as `warning` events.
import axios from 'axios';
import { Redis } from 'ioredis';

const env = process.env;
const { attachTokenRefresh, createGraphQLClient, gql } = await import(env.BUNDLE_INDEX);
const { RedisTokenStore } = await import(env.BUNDLE_REDIS);

const STUDENTS = gql`query Students($limit: Int) { students(limit: $limit) { id } }`;
const send = (message) => process.connected && process.send(message);
const userOf = (authorization) => {
  try {
    return JSON.parse(Buffer.from(authorization.split(' ')[1].split('.')[1], 'base64url').toString()).username;
  } catch {
    return 'unreadable';
  }
};

const redis = new Redis({
  port: Number(env.REDIS_PORT),
  host: '127.0.0.1',
  db: Number(env.DB ?? 0),
  keyPrefix: env.KEY_PREFIX || undefined,
  maxRetriesPerRequest: 1,
  retryStrategy: () => 50,
});
redis.on('error', () => {});
const tokens = new RedisTokenStore({
  redis,
  key: env.KEY,
  lockTtlMs: Number(env.LOCK_TTL_MS) || undefined,
  lockWaitMs: Number(env.LOCK_WAIT_MS) || undefined,
  operationTimeoutMs: Number(env.OP_TIMEOUT_MS) || undefined,
});

// Each request for the refresh lock is reported (`locking`): a test can wait until a process asks.
const lock = tokens.lock.bind(tokens);
tokens.lock = (fn, options) => {
  send({ event: 'locking' });
  return lock(fn, options);
};

let sent = [];
const releases = [];
let markAt = Infinity;
const http = axios.getAdapter(axios.defaults.adapter);
const instance = axios.create({
  baseURL: env.URL,
  adapter: async (config) => {
    const body = typeof config.data === 'string' ? config.data : '';
    if (body.includes('refreshToken(')) {
      if (env.HOLD_REFRESH === '1') {
        send({ event: 'refreshing' });
        await new Promise((resolve) => releases.push(resolve));
      }
      if (env.HOLD_ANSWER === '1') {
        const answer = await http(config);
        send({ event: 'answered' });
        await new Promise((resolve) => releases.push(resolve));
        return answer;
      }
    } else {
      const authorization = config.headers?.Authorization ?? config.headers?.authorization;
      sent.push({ user: authorization ? userOf(String(authorization)) : null, at: Date.now() });
    }
    return http(config);
  },
});
const auth = attachTokenRefresh(instance, {
  tokens,
  rotatingRefreshTokens: true,
  refreshTimeoutMs: Number(env.REFRESH_TIMEOUT_MS) || undefined,
  onSessionExpired: () => send({ event: 'sessionExpired' }),
});
const client = createGraphQLClient(instance);

async function query(n) {
  sent = [];
  const started = Date.now();
  const outcomes = await Promise.all(
    Array.from({ length: n }, async () => {
      const t0 = Date.now();
      try {
        await client.query(STUDENTS, { limit: 1 });
        return { ok: true, ms: Date.now() - t0 };
      } catch (error) {
        return { ok: false, ms: Date.now() - t0, error: `${error?.code ?? error?.name}: ${error?.message}` };
      }
    }),
  );
  return {
    answered: outcomes.filter((o) => o.ok).length,
    errors: outcomes.filter((o) => !o.ok).map((o) => o.error),
    maxMs: Math.max(...outcomes.map((o) => o.ms)),
    users: [...new Set(sent.map((s) => s.user))],
    usersAfterMark: [...new Set(sent.filter((s) => s.at >= markAt).map((s) => s.user))],
    withoutToken: sent.filter((s) => s.user === null).length,
    tookMs: Date.now() - started,
  };
}

process.on('message', async ({ cmd, id, ...args }) => {
  const reply = (value) => send({ reply: id, ...value });
  try {
    if (cmd === 'query') reply(await query(args.n ?? 10));
    else if (cmd === 'setTokens') reply(await auth.setTokens(args.tokens).then(() => ({})));
    else if (cmd === 'logout') reply(await auth.setTokens(null).then(() => ({})));
    else if (cmd === 'mark') reply({ markAt: (markAt = Date.now()) });
    else if (cmd === 'release') reply({ released: releases.splice(0).map((r) => r()).length });
    else if (cmd === 'close') {
      // No process.exit: the process must end by itself once the store and the client are closed.
      await tokens.close(); // waits for a refresh in flight and its write
      await redis.quit().catch(() => redis.disconnect());
      const after = await tokens.get().then(
        () => 'resolved',
        (error) => `${error?.code}: ${error?.message}`,
      );
      process.send({ reply: id, afterClose: after }, () => process.disconnect());
    }
  } catch (error) {
    reply({ failed: `${error?.code ?? error?.name}: ${error?.message}` });
  }
});
process.on('warning', (warning) => send({ event: 'warning', message: warning.message }));
send({ event: 'ready' });
