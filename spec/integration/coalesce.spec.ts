import http from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import { createGraphQLClient, gql } from '../../lib';
import { createNextSchoolClient } from '../../lib/nextschool';
import { startSandboxServer } from '../../lib/testing';
import { closeAll, harness, STUDENTS } from '../support/setup';

/** The class of what this copy of axios rejects a cancelled request with (0.22–0.26: `Cancel`). */
const CANCELED_CLASS =
  (axios as unknown as { CanceledError?: unknown; Cancel: unknown }).CanceledError ?? (axios as unknown as { Cancel: unknown }).Cancel;

// Coalescing against real servers on 127.0.0.1 (docs/graphql-client.md#coalescing): a caller giving
// up, all of them giving up, and a refresh with its replay while callers share one request.

const QUERY = gql<{ n: number }>`query N { n }`;

interface Held {
  body: { query?: string; operationName?: string };
  /** True once the client closed the connection before the answer. */
  readonly hungUp: boolean;
  /** Resolves when the client closes the connection before the answer. */
  hangUp: Promise<void>;
  answer(body: unknown): void;
}

/** A GraphQL endpoint that holds every request until the test answers it, and tells when a client hangs up. */
async function holdingServer() {
  const held: Held[] = [];
  const waiting: Array<() => void> = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => {
      let hungUp = false;
      let answered = false;
      const hangUp = new Promise<void>((resolve) =>
        res.on('close', () => {
          if (!answered) (hungUp = true), resolve();
        }),
      );
      held.push({
        body: JSON.parse(text),
        get hungUp() {
          return hungUp;
        },
        hangUp,
        answer(body) {
          answered = true;
          res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
        },
      });
      for (const wake of waiting.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  /** Resolves once `n` requests have arrived. */
  const arrived = async (n: number) => {
    while (held.length < n) await new Promise<void>((resolve) => waiting.push(resolve));
    return held[n - 1]!;
  };
  const close = () => {
    server.closeAllConnections?.();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { url, held, arrived, close };
}

let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all([...closers.map((close) => close()), closeAll()]);
  closers = [];
});

async function setup() {
  const server = await holdingServer();
  closers.push(server.close);
  const api = axios.create({ baseURL: server.url });
  return { server, api, client: createGraphQLClient(api) };
}

/** Settles to what the promise did, recording when. */
function outcome<T>(promise: Promise<T>) {
  const seen = { settled: 0, value: undefined as T | undefined, error: undefined as unknown };
  const done = promise.then(
    (value) => void ((seen.settled += 1), (seen.value = value)),
    (error) => void ((seen.settled += 1), (seen.error = error)),
  );
  return Object.assign(seen, { done });
}

describe('createGraphQLClient(instance): callers sharing a request give up on their own', () => {
  it.each(['the caller that sent it', 'a caller that joined it'])(
    "rejects %s at once with axios' CanceledError when its signal aborts; the others get the answer",
    async (who) => {
      const { server, client } = await setup();
      const controller = new AbortController();
      const signal = controller.signal as never;
      const first = outcome(client.query(QUERY, {}, who === 'the caller that sent it' ? { signal } : {}));
      const second = outcome(client.query(QUERY, {}, who === 'a caller that joined it' ? { signal } : {}));
      const third = outcome(client.query(QUERY));
      const request = await server.arrived(1);
      const [quitter, stayer] = who === 'the caller that sent it' ? [first, second] : [second, first];

      controller.abort();
      await quitter.done;
      expect(axios.isCancel(quitter.error)).toBe(true);
      expect(quitter.error).toBeInstanceOf(CANCELED_CLASS);
      expect(stayer.settled + third.settled).toBe(0); // rejected at once: the answer has not even been written

      request.answer({ data: { n: 7 } });
      await Promise.all([stayer.done, third.done]);
      expect([stayer.value, third.value]).toEqual([{ n: 7 }, { n: 7 }]);
      expect(request.hungUp).toBe(false);
      expect(server.held).toHaveLength(1);
      expect(quitter.settled).toBe(1); // the answer arriving later settles nothing twice
      expect(client.stats.coalesced).toBe(who === 'the caller that sent it' ? 2 : 1);
    },
  );

  it("rejects a caller whose legacy cancelToken fires with axios' Cancel, at once; the others get the answer", async () => {
    const { server, client } = await setup();
    const source = axios.CancelToken.source();
    const first = outcome(client.query(QUERY));
    const second = outcome(client.query(QUERY, {}, { cancelToken: source.token }));
    const request = await server.arrived(1);
    source.cancel('the user left the page');
    await second.done;
    expect(axios.isCancel(second.error)).toBe(true);
    expect((second.error as Error).message).toBe('the user left the page');
    expect(first.settled).toBe(0);
    request.answer({ data: { n: 1 } });
    await first.done;
    expect(first.value).toEqual({ n: 1 });
    expect(request.hungUp).toBe(false);
  });

  it('cancels the shared request when every caller has given up; the next identical call sends a new one', async () => {
    const { server, client } = await setup();
    const controllers = [new AbortController(), new AbortController(), new AbortController()];
    const calls = controllers.map((c) => outcome(client.query(QUERY, {}, { signal: c.signal as never })));
    const request = await server.arrived(1);
    controllers[0]!.abort();
    controllers[2]!.abort();
    await Promise.all([calls[0]!.done, calls[2]!.done]);
    expect(request.hungUp).toBe(false);
    controllers[1]!.abort();
    await request.hangUp;
    await calls[1]!.done;
    for (const call of calls) expect(axios.isCancel(call.error)).toBe(true);

    const next = outcome(client.query(QUERY));
    (await server.arrived(2)).answer({ data: { n: 2 } });
    await next.done;
    expect(next.value).toEqual({ n: 2 });
    expect(client.stats.coalesced).toBe(0);
  });
});

describe('createGraphQLClient(instance) with the plugin attached: a shared request refreshed and replayed', () => {
  it('replays once for every caller, those that joined during the refresh included, and each gets the final answer', async () => {
    const h = await harness();
    const client = createGraphQLClient(h.api);
    h.server.expireAccessTokens();
    const refreshHeld = h.server.hold((r) => r.operationName === 'RefreshToken');
    const early = Array.from({ length: 5 }, () => client.query(STUDENTS, { limit: 2 }));
    await refreshHeld.arrived;
    const late = Array.from({ length: 5 }, () => client.query(STUDENTS, { limit: 2 }));
    refreshHeld.release();
    const results = await Promise.all([...early, ...late]);

    for (const result of results) expect(result.students.map((s) => s.id)).toEqual([1, 2]);
    expect(new Set(results.map((r) => r.students)).size).toBe(10); // ten copies
    expect(h.server.stats.refreshes).toBe(1);
    expect(h.studentRequests()).toHaveLength(2); // the first send and one replay
    expect(h.auth.stats.replays).toBe(1);
    expect(client.stats.coalesced).toBe(9);
  });
});

describe('createNextSchoolClient(options): identical queries against the sandbox', () => {
  async function sandbox() {
    // Three data requests a second per user: twenty calls sent one by one would be declined 17 times.
    const server = await startSandboxServer({ rateLimits: { perUser: 3, windowMs: 1_000 } });
    closers.push(() => server.close());
    return server;
  }

  it("sends 20 identical queries once: the sandbox's rate limit sees one request, every caller its answer", async () => {
    const server = await sandbox();
    const ns = createNextSchoolClient({ url: server.url, username: server.username, password: server.password });
    await ns.login();
    const before = server.stats.requests;
    const answers = await Promise.all(Array.from({ length: 20 }, () => ns.students({ limit: 3 })));

    expect(server.stats.requests - before).toBe(1);
    expect(server.stats.rateLimited).toBe(0);
    for (const students of answers) expect(students).toEqual(answers[0]);
    expect(answers[0]).toHaveLength(3);
    expect(new Set(answers).size).toBe(20); // each caller its own copy
    expect(ns.stats.coalesced).toBe(19); // next to ns.auth.stats, live
    expect(ns.auth.stats.rateLimited).toBe(0);
  });

  it('sends each call on its own with `coalesce: false`', async () => {
    const server = await sandbox();
    const ns = createNextSchoolClient({ url: server.url, username: server.username, password: server.password, coalesce: false });
    await ns.login();
    const before = server.stats.requests;
    await Promise.all(Array.from({ length: 3 }, () => ns.teachers({ limit: 1 })));
    expect(server.stats.requests - before).toBe(3);
    expect(ns.stats.coalesced).toBe(0);
  });
});
