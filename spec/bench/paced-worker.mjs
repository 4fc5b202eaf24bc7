// One process of the rate-limit scenarios (paced.mjs): the NextSchool preset, as a user runs it,
// against the sandbox; with `redisPort`, its tokens in a RedisTokenStore that the other processes of
// the scenario share. Commands over IPC:
// { cmd: 'init', url, username, password, rateLimit?, redisPort?, key? } → { ready: true }
//   (no `rateLimit`: the preset's defaults, no option given);
// { cmd: 'go', n, offset } → n queries at once, each with its own offset (never identical, so none is
//   coalesced with another): { answered, failed, failures: { 'Name CODE': count }, wallMs, stats };
// { cmd: 'close' } → exits.
import Redis from 'ioredis';
import { createNextSchoolClient } from '../../dist/nextschool.mjs';
import { RedisTokenStore } from '../../dist/redis.mjs';

let ns;
let redis;
let store;

async function go(n, offset) {
  const started = performance.now();
  const outcomes = await Promise.allSettled(Array.from({ length: n }, (_, i) => ns.students({ limit: 1, offset: offset + i })));
  const wallMs = performance.now() - started;
  const failures = {};
  for (const o of outcomes.filter((x) => x.status === 'rejected')) {
    const key = `${o.reason?.name ?? 'Error'} ${o.reason?.code ?? ''}`.trim();
    failures[key] = (failures[key] ?? 0) + 1;
  }
  const answered = outcomes.filter((o) => o.status === 'fulfilled').length;
  return { answered, failed: n - answered, failures, wallMs, stats: { ...ns.auth.stats } };
}

process.on('message', async (m) => {
  try {
    if (m.cmd === 'init') {
      const options = { url: m.url, username: m.username, password: m.password };
      if (m.rateLimit) options.rateLimit = m.rateLimit;
      if (m.redisPort) {
        redis = new Redis({ host: '127.0.0.1', port: m.redisPort, maxRetriesPerRequest: 1 });
        store = new RedisTokenStore({ redis, key: m.key });
        options.tokens = store;
      }
      ns = createNextSchoolClient(options);
      process.send({ ready: true });
    } else if (m.cmd === 'go') process.send(await go(m.n, m.offset));
    else if (m.cmd === 'close') {
      store?.close();
      redis?.disconnect();
      process.exit(0);
    }
  } catch (error) {
    process.send({ error: String(error?.message ?? error) });
  }
});
