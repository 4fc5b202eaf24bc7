import http from 'node:http';
import type { AddressInfo } from 'node:net';

// A bare HTTP server on 127.0.0.1 for tests that need exact control over an answer (a status, a
// redirect, an echo of what was sent) and a record of what arrived. The GraphQL test server
// (graphql-server.ts) is the one to use for everything else.

export interface RawRequest {
  method: string;
  url: string;
  authorization: string | undefined;
  /** The raw body. */
  text: string;
  /** The body parsed as JSON, or `{}`. */
  body: { operationName?: string; query?: string; variables?: Record<string, string> };
}

export interface RawAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RawServer {
  origin: string;
  port: number;
  received: RawRequest[];
  /** Replaces how the server answers. */
  answer(handler: (request: RawRequest) => RawAnswer): void;
  close(): Promise<void>;
}

const open = new Set<RawServer>();

/** Starts a server answering `{"data":{"ok":true}}` until told otherwise; `closeRawServers()` closes it. */
export async function rawServer(handler?: (request: RawRequest) => RawAnswer): Promise<RawServer> {
  let answer: (request: RawRequest) => RawAnswer = handler ?? (() => ({ status: 200, body: { data: { ok: true } } }));
  const received: RawRequest[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => {
      let body = {};
      try {
        body = text ? JSON.parse(text) : {};
      } catch {
        /* not JSON: `text` has it */
      }
      const request: RawRequest = { method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, text, body };
      received.push(request);
      const out = answer(request);
      res.writeHead(out.status, { 'Content-Type': 'application/json', ...out.headers });
      res.end(out.body === undefined ? '' : JSON.stringify(out.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const raw: RawServer = {
    origin: `http://127.0.0.1:${port}`,
    port,
    received,
    answer: (next) => void (answer = next),
    close: () => {
      open.delete(raw);
      server.closeAllConnections?.();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  open.add(raw);
  return raw;
}

/** Closes every server `rawServer` started (call in afterEach). */
export async function closeRawServers(): Promise<void> {
  await Promise.all([...open].map((s) => s.close()));
}
