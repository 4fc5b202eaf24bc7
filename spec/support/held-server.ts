import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { deferred } from './events';

// A NextSchool-like endpoint for tests about connection pools: it answers the refresh and login
// mutations at once, answers data requests UNAUTHENTICATED unless they carry a token it issued, and holds data
// requests the test tells it to hold (a socket of the client's pool stays busy until the test lets
// the answer go). Over HTTP, or HTTPS with a certificate signed by the test CA (spec/support/tls/).
// No graphql-js: the tests here are about sockets, and a fixed answer keeps them quick.

const tls = (name: string) => readFileSync(join(__dirname, 'tls', name), 'utf8');
/** The test CA, to trust the HTTPS server the way an application trusts a private CA. */
export const TEST_CA = tls('ca.pem');

export interface Arrival {
  operationName?: string;
  authorization?: string;
  /** The request line's target: absolute when the request came through a proxy. */
  url: string;
  /** The client's port: one per connection. */
  port: number;
}

export interface HeldServer {
  origin: string;
  url: string;
  /** Every request, in the order it arrived. */
  received: Arrival[];
  /** Data requests (not a refresh or login) held now: only requests without a token this server issued are ever held. */
  readonly heldNow: number;
  /** From now on, data requests without a token this server issued are held (`after`: all but the next `after` of them). */
  holdData(after?: number): void;
  /** Resolves when `count` data requests have arrived in all. */
  dataArrived(count: number): Promise<void>;
  /** Resolves when `count` data requests without a token this server issued have arrived. */
  staleArrived(count: number): Promise<void>;
  /** Resolves when `count` data requests carrying a token this server issued have arrived. */
  freshArrived(count: number): Promise<void>;
  /** Resolves with the first refresh or login request. */
  tokenRequestArrived: Promise<Arrival>;
  /** Resolves when `count` refresh or login requests have arrived in all. */
  tokenRequestsArrived(count: number): Promise<void>;
  /** Answers the oldest held request now; the others stay held. */
  answerOldest(): void;
  /** Answers every held request and holds no more. */
  releaseAll(): void;
  close(): Promise<void>;
}

const UNAUTHENTICATED = JSON.stringify({
  errors: [{ message: 'Authentication required', path: ['students'], extensions: { code: 'UNAUTHENTICATED' } }],
  data: { students: null },
});
const STUDENTS = JSON.stringify({ data: { students: [{ id: 1, fullName: 'เด็กชายสมชาย ใจดี' }] } });

/**
 * `answerHeldFirst`: a refresh or login arriving answers every held request before its own answer,
 * so that those answers reach the client first.
 */
export async function heldServer(options: { tls?: boolean; answerHeldFirst?: boolean } = {}): Promise<HeldServer> {
  const issued = new Set<string>();
  const received: Arrival[] = [];
  const held: Array<() => void> = [];
  const waits: Array<{ done: () => boolean; resolve: () => void }> = [];
  const tokenRequest = deferred<Arrival>();
  let holding = false;
  let passFirst = 0;
  let data = 0;
  let fresh = 0;
  let counter = 0;
  let tokenRequests = 0;

  const settleWaits = () => {
    for (const wait of [...waits]) if (wait.done()) waits.splice(waits.indexOf(wait), 1), wait.resolve();
  };
  const when = (done: () => boolean) => {
    if (done()) return Promise.resolve();
    const { promise, resolve } = deferred();
    waits.push({ done, resolve });
    return promise;
  };

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => {
      const body = JSON.parse(text || '{}') as { operationName?: string };
      const arrival: Arrival = {
        operationName: body.operationName,
        authorization: req.headers.authorization,
        url: req.url ?? '',
        port: req.socket.remotePort ?? 0,
      };
      received.push(arrival);
      const send = (answer: string) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
        res.end(answer);
      };
      if (body.operationName === 'RefreshToken' || body.operationName === 'Login') {
        const accessToken = `at-new-${++counter}`;
        issued.add(accessToken);
        tokenRequests++;
        tokenRequest.resolve(arrival);
        settleWaits();
        if (options.answerHeldFirst) for (const answer of held.splice(0)) answer();
        const field = body.operationName === 'Login' ? 'login' : 'refreshToken';
        return send(JSON.stringify({ data: { [field]: { accessToken, refreshToken: `rt-new-${counter}`, expiresIn: 900 } } }));
      }
      data++;
      const known = issued.has(arrival.authorization?.replace(/^Bearer /, '') ?? '');
      if (known) fresh++;
      const answer = () => send(known ? STUDENTS : UNAUTHENTICATED);
      if (holding && !known && passFirst-- <= 0) held.push(answer);
      else answer();
      settleWaits();
    });
  };

  const server = options.tls
    ? https.createServer({ key: tls('server.key'), cert: tls('server.pem') }, handler)
    : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `${options.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: `${origin}/graphql`,
    received,
    get heldNow() {
      return held.length;
    },
    holdData(after = 0) {
      holding = true;
      passFirst = after;
    },
    dataArrived: (count) => when(() => data >= count),
    staleArrived: (count) => when(() => data - fresh >= count),
    freshArrived: (count) => when(() => fresh >= count),
    tokenRequestArrived: tokenRequest.promise,
    tokenRequestsArrived: (count) => when(() => tokenRequests >= count),
    answerOldest: () => held.shift()?.(),
    releaseAll() {
      holding = false;
      for (const answer of held.splice(0)) answer();
    },
    close() {
      holding = false;
      for (const answer of held.splice(0)) answer();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface ForwardProxy {
  /** `{ protocol, host, port }` for axios' `proxy` option. */
  config: { protocol: 'http'; host: string; port: number };
  /** The operation name of every request it forwarded. */
  forwarded: Array<string | undefined>;
  close(): Promise<void>;
}

/** A forward HTTP proxy (absolute-form request targets, as axios' `proxy` sends them) that notes what it forwards. */
export async function forwardProxy(): Promise<ForwardProxy> {
  const forwarded: Array<string | undefined> = [];
  const upstream = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      try {
        forwarded.push((JSON.parse(body.toString('utf8')) as { operationName?: string }).operationName);
      } catch {
        forwarded.push(undefined);
      }
      const out = http.request(req.url ?? '', { method: req.method, headers: req.headers, agent: upstream }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      out.on('error', () => res.writeHead(502).end());
      out.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    config: { protocol: 'http', host: '127.0.0.1', port: (server.address() as AddressInfo).port },
    forwarded,
    close() {
      upstream.destroy();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
