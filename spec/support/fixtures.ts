import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';

// Fixtures shared by the unit specs that give axios an adapter of their own (a herd of 300 needs no
// sockets): the answer such an adapter returns, and the request and tokens most of them use.

/** Where the unit specs send: an origin that never resolves, so nothing can leave the process by mistake. */
export const API_URL = 'https://api.example.test/graphql';
/** A query body whose answer is `{ data: { ok: true } }`. */
export const QUERY = { query: 'query Q { ok }' };

/** Tokens valid for an hour (made per call: `expiresAt` is read when attaching). */
export const freshTokens = () => ({ accessToken: 'tok', refreshToken: 'r1', expiresAt: Date.now() + 3_600_000 });

/** An HTTP 200 answer to `config` with body `data` (default `{ data: { ok: true } }`), as axios' adapters resolve it. */
export function ok(config: InternalAxiosRequestConfig, data: unknown = { data: { ok: true } }): AxiosResponse {
  return { data, status: 200, statusText: 'OK', headers: {}, config, request: {} };
}
