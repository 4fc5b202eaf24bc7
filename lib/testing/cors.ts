import type http from 'node:http';

// CORS for the sandbox (docs/testing.md#cors): a web app on its own origin must reach the sandbox and read the
// rate-limit headers of its answers. See docs/testing.md#cors.

const EXPOSED_HEADERS = 'Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset';

/** Headers every non-preflight answer carries: the Origin echoed (or `*` without one). */
export function corsHeaders(req: http.IncomingMessage): Record<string, string> {
  const origin = req.headers.origin;
  return {
    'access-control-allow-origin': origin ?? '*',
    'access-control-expose-headers': EXPOSED_HEADERS,
    ...(origin ? { vary: 'Origin' } : {}),
  };
}

/** A preflight's answer: the methods we serve and whatever headers the browser asked to send. */
export function preflightHeaders(req: http.IncomingMessage): Record<string, string> {
  const requested = req.headers['access-control-request-headers'];
  return {
    ...corsHeaders(req),
    'access-control-allow-methods': 'POST, GET, OPTIONS',
    'access-control-allow-headers': requested ?? 'Authorization, Content-Type',
    'access-control-max-age': '600',
    vary: 'Origin, Access-Control-Request-Headers',
    'content-length': '0',
  };
}
