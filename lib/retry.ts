import type { AxiosError, AxiosInstance } from 'axios';
import axiosRetry, { exponentialDelay, isNetworkError } from 'axios-retry';
import { operationsOf } from './replay-policy';
import type { RetryOptions } from './types';

// Transient failures (network errors, HTTP 5xx) are retried by axios-retry for GraphQL **queries**
// only: a mutation is at-most-once, so it is never sent again after a failure we cannot read
// (behaviour 11). Auth replays keep their own count across these retries, so the sends of one call
// are bounded by 1 + retries + maxReplays.

/** True when every operation of the request is a query (GET requests always are). */
export function isQueryOnly(config: { method?: string; data?: unknown; params?: unknown } | undefined): boolean {
  if (!config) return false;
  const operations = operationsOf(config);
  return operations.length > 0 && operations.every((op) => op?.type === 'query');
}

export function isTransientTransportError(error: AxiosError): boolean {
  if (error.response) return error.response.status >= 500 && error.response.status <= 599;
  return isNetworkError(error);
}

/**
 * Installs axios-retry with the GraphQL-aware condition; returns a function that ejects it.
 * `handles(config)` limits retries to the requests the plugin handles: the user's other routes on
 * the same instance keep the behaviour they had.
 */
export function installRetry(instance: AxiosInstance, options: Required<RetryOptions>, handles: (config: unknown) => boolean): () => void {
  const { requestInterceptorId, responseInterceptorId } = axiosRetry(instance, {
    retries: options.retries,
    retryDelay: options.retryDelay,
    retryCondition: (error) => handles(error.config) && isTransientTransportError(error) && isQueryOnly(error.config),
  });
  return () => {
    instance.interceptors.request.eject(requestInterceptorId);
    instance.interceptors.response.eject(responseInterceptorId);
  };
}

/** Exponential backoff with jitter (axios-retry's): about 100 ms, 200 ms, 400 ms … */
export const defaultRetryDelay = (retryCount: number, error: unknown) => exponentialDelay(retryCount, error as AxiosError, 100);
