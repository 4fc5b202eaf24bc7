import type { AxiosResponse } from 'axios';

// Reading answer bodies, which are hostile input: nothing here throws. One place for it, shared by
// detection, the replay rules, the GraphQL client and the plugin's own token requests.

/** Bodies larger than this are not decoded from bytes just to look for an auth error. */
const MAX_DECODED_BYTES = 64 * 1024;

/** Bytes (ArrayBuffer, Buffer, any typed array) as text, when small enough to be worth reading. */
function bytesAsText(data: object): string | undefined {
  const view =
    data instanceof ArrayBuffer
      ? new Uint8Array(data)
      : ArrayBuffer.isView(data)
        ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
        : undefined;
  if (!view || view.byteLength > MAX_DECODED_BYTES || typeof TextDecoder !== 'function') return undefined;
  return new TextDecoder().decode(view);
}

/**
 * The body as a value: JSON text is parsed (a body axios left as text, or bytes from
 * `responseType: 'arraybuffer'`), anything else as is. What the caller receives is not changed.
 */
export function parseBody(data: unknown): unknown {
  const text = typeof data === 'string' ? data : data && typeof data === 'object' ? bytesAsText(data) : undefined;
  if (text === undefined) return data;
  const start = text.trimStart()[0];
  if (start !== '{' && start !== '[') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Identity transform: a body already serialized (or to be read raw) goes through unchanged. */
export const identity = <T>(data: T): T => data;

/** Duck-typed: an axios response from any copy of axios (not one reshaped by an interceptor). */
export function isResponse(value: unknown): value is AxiosResponse {
  return !!value && typeof value === 'object' && 'config' in value && 'status' in value && 'headers' in value;
}
