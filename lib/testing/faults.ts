import type http from 'node:http';

// Injected faults (`SandboxOptions.faults`): what an unreliable network or proxy does to a request.
// Used by resilience tests and `npm run soak`; see docs/testing.md.

export type FaultKind = 'http500' | 'reset' | 'html';

/** Draws at most one fault per request, each with its configured probability. */
export function createFaultPicker(faults: Partial<Record<FaultKind, number>> = {}): () => FaultKind | undefined {
  return () => {
    let roll = Math.random();
    for (const kind of ['http500', 'reset', 'html'] as const) {
      const p = faults[kind] ?? 0;
      if (roll < p) return kind;
      roll -= p;
    }
    return undefined;
  };
}

/**
 * Answers with the fault: a destroyed socket, an HTTP 500 with a GraphQL body, or the HTML 502 page
 * a proxy sends. `headers` are the answer's usual ones (content type, CORS).
 */
export function sendFault(kind: FaultKind, req: http.IncomingMessage, res: http.ServerResponse, headers: Record<string, string>): void {
  if (kind === 'reset') return void req.socket.destroy();
  if (kind === 'http500') {
    const text = JSON.stringify({ errors: [{ message: 'Internal server error' }] });
    res.writeHead(500, { ...headers, 'content-length': String(Buffer.byteLength(text)) });
    return void res.end(text);
  }
  res.writeHead(502, { ...headers, 'content-type': 'text/html' });
  res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
}
