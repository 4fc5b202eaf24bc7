// One client of the overhead benchmark, alone in its own process (forked by overhead() in
// scenarios.mjs): clients measured in one process share axios' code, and each one's objects make that
// code's JIT-compiled paths more general for all of them, so a client would be measured slower or
// faster for the company it keeps. Here each runs as it would in an application. Commands over IPC:
// { cmd: 'init', kind, transport, url, tokens } → { ready: true };
// { cmd: 'block', n, batch } → { cpuUs, wallUs } for n queries, batch at a time;
// { cmd: 'close' } → exits.
import { CLIENTS, closeClients } from './clients.mjs';

const ANSWER = JSON.stringify({ data: { students: [{ id: 1, fullName: 'เด็กชายสมชาย ใจดี' }] } });
/** An in-memory adapter answering every query with the same GraphQL answer (a JSON string, as over HTTP). */
const memoryAdapter = (config) =>
  Promise.resolve({ data: ANSWER, status: 200, statusText: 'OK', headers: { 'content-type': 'application/json' }, config, request: {} });

/** `n` queries, `batch` at a time; this process's CPU time (user + system) and wall time, µs. */
async function block(client, n, batch) {
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  for (let done = 0; done < n; done += batch) {
    // Variables of its own for each query of a batch: a client that sends identical in-flight queries
    // once would otherwise be measured sending one request for 50.
    if (batch === 1) await client.query({ limit: 1 });
    else await Promise.all(Array.from({ length: Math.min(batch, n - done) }, (_, i) => client.query({ limit: 1, offset: i })));
  }
  const cpu = process.cpuUsage(cpu0);
  return { cpuUs: cpu.user + cpu.system, wallUs: (performance.now() - wall0) * 1000 };
}

let client;
process.on('message', async (m) => {
  if (m.cmd === 'init') {
    client = CLIENTS[m.kind](m.url, m.tokens, { adapter: m.transport === 'memory' ? memoryAdapter : undefined });
    process.send({ ready: true });
  } else if (m.cmd === 'block') {
    // A failed query fails the bench (the parent rejects), rather than leaving it waiting forever.
    process.send(await block(client, m.n, m.batch).catch((error) => ({ error: String(error?.message ?? error) })));
  } else if (m.cmd === 'close') {
    closeClients();
    process.exit(0);
  }
});
