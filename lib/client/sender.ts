import type { AxiosInstance, AxiosRequestConfig } from 'axios';
import { createCoalescer } from './coalesce';
import { createKeyer, isQueryOnly } from './request-key';

// How the GraphQL client sends one call (docs/graphql-client.md#coalescing): a query through the
// in-flight table, where an identical one may already be on its way; a write on its own.

/** One call of the client. */
export interface OutgoingCall {
  query: string;
  operationName?: string | undefined;
  variables?: unknown;
  config?: AxiosRequestConfig | undefined;
  /** Called through `mutate()`: the caller means a write, whatever the document holds. */
  mutation: boolean;
}

/** Sends the calls of one client. */
export interface Sender {
  /** Resolves or rejects with what the instance gives this call (its own copy when it shared a request). */
  send(call: OutgoingCall): Promise<unknown>;
  /** Calls answered by a request sent for another call. */
  readonly coalesced: number;
}

/** A call whose `signal` or `cancelToken` is already cancelled goes straight to axios, which rejects it as it always does. */
function cancelledAlready(config: AxiosRequestConfig | undefined): boolean {
  const signal = config?.signal as { aborted?: boolean } | undefined;
  return !!signal?.aborted || !!(config?.cancelToken as { reason?: unknown } | undefined)?.reason;
}

/**
 * Makes the sender of one client posting to `url`. `coalesce`: whether calls share by default (a
 * call's own `coalesce` wins); `ignoreHeaders`: headers that do not make two calls differ.
 */
export function createSender(instance: AxiosInstance, url: string, coalesce: boolean, ignoreHeaders: readonly string[]): Sender {
  const keyOf = createKeyer(instance, ignoreHeaders);
  const coalescer = createCoalescer(instance);

  /**
   * A write (or a document that may hold one) is never shared, and no query asked once it was sent
   * or answered joins a request sent before it: a caller reads what it wrote.
   */
  function write(sent: Promise<unknown>): Promise<unknown> {
    coalescer.forget();
    const forget = () => coalescer.forget();
    sent.then(forget, forget);
    return sent;
  }

  function send({ query, operationName, variables, config, mutation }: OutgoingCall): Promise<unknown> {
    const body = (vars: unknown): Record<string, unknown> => ({
      query,
      ...(vars === undefined ? {} : { variables: vars }),
      ...(operationName ? { operationName } : {}),
    });
    const call: AxiosRequestConfig = { url, method: 'post', ...config };
    if (mutation || !isQueryOnly(query)) return write(instance.request({ ...call, data: body(variables) }));
    const wanted = (config?.coalesce ?? coalesce) && !cancelledAlready(config);
    const keyed = wanted ? keyOf({ query, operationName, variables, config: call }) : undefined;
    if (!keyed) return instance.request({ ...call, data: body(variables) });
    keyed.config.data = body(keyed.variables);
    return coalescer.send(keyed, config ?? {});
  }

  return {
    send,
    get coalesced() {
      return coalescer.coalesced;
    },
  };
}
