import type { AxiosError, AxiosInstance, AxiosRequestConfig } from 'axios';
import axiosRetry from 'axios-retry';
import { isTransientTransportError } from '../policy/classify';
import { isGraphQLRequest, isOneShotBody, operationsOf } from '../policy/replay-safety';
import { createBareInstance, type PrivateClient } from '../transport/private-client';

// Retries of transient failures (docs/how-it-works.md, "retries"), by axios-retry: the plugin's
// resends that may still be retried go through a private client made from the user's instance on
// which axios-retry is installed (the others through the plain private client: send.ts), its
// `retryCondition` made GraphQL-aware — a network failure or an HTTP 5xx of a GraphQL request whose
// every operation is a query, with a body that can be sent twice, and never a failure axios itself
// judged (too large, a redirect loop, a bad option): sending it again cannot help. None of the
// user's interceptors runs twice. A request the user's own axios-retry saw (its state under
// `config['axios-retry']`) is left to it alone: the plugin never retries it, never calls its
// `retryCondition`, and gives it back its own state.

/** Where axios-retry keeps its per-request state on a config (its `namespace`). */
export const RETRY_KEY = 'axios-retry';

/** axios-retry's per-request state, as it leaves it on a config. */
interface RetryState {
  retries?: number;
  retryCount?: number;
}

/** True when the request is GraphQL and every operation it carries is a query, in a body that can be sent twice. */
export function isRetriableQuery(config: AxiosRequestConfig | undefined): boolean {
  if (!config || !isGraphQLRequest(config as never) || isOneShotBody(config.data)) return false;
  const operations = operationsOf(config as never);
  return operations.length > 0 && operations.every((op) => op?.type === 'query');
}

/** The failures the plugin sends again: transient ones of a retriable query (and axios' own verdicts are never transient: policy/classify.ts). */
export function isRetriableFailure(error: AxiosError): boolean {
  return isTransientTransportError(error) && isRetriableQuery(error.config);
}

/** The user's axios-retry saw this request: it alone decides whether to send it again. */
export const userRetryOf = (config: unknown): unknown => (config as Record<string, unknown> | undefined)?.[RETRY_KEY];

/**
 * The plugin's retry client: interceptor-free, with axios-retry doing the retries of every resend
 * the plugin makes; `beforeRetry` runs before each (send.ts: the gate, the newest token, diagnostics).
 */
export function createRetryClient(
  instance: AxiosInstance,
  retry: false | { retryDelay: (retryCount: number, error: unknown) => number },
  beforeRetry: (retryCount: number, error: AxiosError, config: AxiosRequestConfig) => Promise<void>,
): PrivateClient {
  const client = createBareInstance(instance);
  axiosRetry(client, {
    retries: 0, // per request: what is left of `retry.retries` (send.ts)
    retryCondition: isRetriableFailure,
    retryDelay: retry ? retry.retryDelay : () => 0,
    onRetry: (retryCount, error, config) => beforeRetry(retryCount, error, config as AxiosRequestConfig),
  });
  return { request: client.request };
}

/** axios-retry's count of retries on a resend's config (the plugin's state), to carry on. */
export function retriesOn(config: unknown): number | undefined {
  const ours = userRetryOf(config) as RetryState | undefined;
  return typeof ours?.retryCount === 'number' ? ours.retryCount : undefined;
}
