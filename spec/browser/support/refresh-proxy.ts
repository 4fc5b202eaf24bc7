import http from 'node:http';
import type { AddressInfo } from 'node:net';

// A proxy in front of the sandbox for the tabs chaos suite: it forwards everything (CORS preflights
// included), and when asked, holds the *answer* of the next refresh — the server has rotated the
// refresh token, the tab has not seen the new one — until the test lets it go. That is the moment a
// tab closed, reloaded or frozen costs the session.

export interface RefreshProxy {
  url: string;
  /** Holds the answer of the next refresh; resolves once the server has answered it (and the tab waits). */
  holdNextRefreshAnswer(): Promise<void>;
  /** Lets held answers go (to a tab that may be gone). */
  release(): void;
  /** Delays every refresh answer by `ms` from now on: a refresh round trip long enough for several tabs' timers to run out meanwhile. */
  slowRefreshes(ms: number): void;
  close(): Promise<void>;
}

export async function startRefreshProxy(target: string): Promise<RefreshProxy> {
  const upstream = new URL(target);
  let armed: (() => void) | undefined;
  let refreshDelayMs = 0;
  const held: Array<() => void> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const refresh = body.includes('refreshToken(');
      const hold = armed && refresh ? armed : undefined;
      if (hold) armed = undefined;
      const delay = refresh ? refreshDelayMs : 0;
      const forward = http.request(
        { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => parts.push(chunk));
          answer.on('end', () => {
            const send = () => {
              res.writeHead(answer.statusCode ?? 502, answer.headers);
              res.end(Buffer.concat(parts));
            };
            if (!hold) return void setTimeout(send, delay);
            held.push(send);
            hold();
          });
        },
      );
      forward.on('error', () => res.destroy());
      forward.end(body);
    });
  });
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    holdNextRefreshAnswer: () => new Promise<void>((resolve) => (armed = resolve)),
    slowRefreshes: (ms) => void (refreshDelayMs = ms),
    release: () => {
      for (const send of held.splice(0)) {
        try {
          send();
        } catch {
          // the tab is gone: its connection with it
        }
      }
    },
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
