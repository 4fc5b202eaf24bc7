import type { AxiosError } from 'axios';
import { operationsOf } from '../policy/replay-safety';

// Transient failures (network errors, HTTP 5xx) of the requests the plugin handles are sent again
// for GraphQL **queries** only: a mutation is at-most-once, so it is never sent again after a
// failure we cannot read (docs/how-it-works.md, "retries"). The plugin does this inside its own
// response interceptor, by axios-retry's rules (which failures, what backoff) but not with its
// interceptors: an axios-retry the user installed on the same instance keeps its own options for
// every request, and when it would retry a request itself, the plugin leaves that request to it
// (never both: attempts would add up). Its rules are restated here in a few lines rather than
// imported: importing axios-retry pulls its whole module into browser bundles.

/** True when every operation of the request is a query (GET requests always are). */
export function isQueryOnly(config: { method?: string; data?: unknown; params?: unknown } | undefined): boolean {
  if (!config) return false;
  const operations = operationsOf(config);
  return operations.length > 0 && operations.every((op) => op?.type === 'query');
}

// Which failures are transient lives with the other failure rules (policy/classify.ts).
export { isTransientTransportError } from '../policy/classify';

/** axios-retry's per-request state, as its request interceptor leaves it on the config. */
interface UserRetryState {
  retries?: number;
  retryCondition?: (error: AxiosError) => unknown;
}

/** True when an axios-retry installed by the user on this instance retries this failure itself. */
export function userRetryHandles(error: AxiosError): boolean {
  const state = (error.config as Record<string, unknown> | undefined)?.['axios-retry'] as UserRetryState | undefined;
  if (!state || typeof state.retryCondition !== 'function' || !(Number(state.retries) > 0)) return false;
  try {
    return !!state.retryCondition(error);
  } catch {
    return false;
  }
}
