import type { AxiosInstance, AxiosRequestConfig, AxiosResponse } from 'axios';
import { expectOption } from '../config/validate';
import { type DocumentInput, sourceOf } from '../documents/document';
import type { GraphQLErrorShape } from '../documents/types';
import { GraphQLRequestError } from '../errors/graphql-request-error';
import { answersOf, errorsOf } from '../policy/detect';
import { isResponse, parseBody } from '../util/body';
import { cleanResponse, credentialOf, isAxiosError, redactDeep } from '../util/redact';
import { DEFAULT_IGNORED_HEADERS } from './request-key';
import { createSender } from './sender';

/**
 * What {@link GraphQLClient.request} resolves to: the answer as is, errors included.
 *
 * @example
 * ```ts
 * const { data, errors } = await client.request(STUDENTS);
 * if (errors?.some((e) => e.extensions?.code === 'FORBIDDEN')) showNoSchool();
 * ```
 */
export interface GraphQLResult<TData> {
  data: TData | null;
  errors?: GraphQLErrorShape[];
  response: AxiosResponse;
}

/**
 * Counters of a {@link GraphQLClient}.
 *
 * @example
 * ```ts
 * await Promise.all([client.query(STUDENTS), client.query(STUDENTS)]);
 * console.log(client.stats.coalesced); // 1: the second call shared the first one's request
 * ```
 */
export interface GraphQLClientStats {
  /** Calls answered by an identical query already in flight: requests not sent (docs/graphql-client.md#coalescing). */
  coalesced: number;
}

/**
 * How a client shares identical queries in flight (docs/graphql-client.md#coalescing).
 *
 * @example
 * ```ts
 * const client = createGraphQLClient(api, { coalesce: { ignoreHeaders: ['traceparent', 'x-debug-id'] } });
 * ```
 */
export interface CoalesceOptions {
  /**
   * Request headers that do not change the answer: calls that differ only by them share a request
   * (the first caller's values are sent). Names are case-insensitive; the list replaces the default.
   * @default traceparent, tracestate, baggage, sentry-trace, b3, x-b3-traceid, x-b3-spanid,
   * x-b3-parentspanid, x-b3-sampled, x-b3-flags, uber-trace-id, x-amzn-trace-id,
   * x-cloud-trace-context, x-request-id, x-correlation-id
   */
  ignoreHeaders?: readonly string[];
}

/**
 * Options of {@link createGraphQLClient}.
 *
 * @example
 * ```ts
 * const client = createGraphQLClient(api, { url: '/graphql', coalesce: false });
 * ```
 */
export interface GraphQLClientOptions {
  /** The GraphQL endpoint, relative to the instance's `baseURL`. @default '' */
  url?: string;
  /**
   * Identical queries in flight are sent once and every caller gets its own copy of the answer;
   * never mutations. `false` sends every call on its own (a call's `coalesce` option still wins).
   * @default true
   */
  coalesce?: boolean | CoalesceOptions;
}

/**
 * A thin GraphQL client over an axios instance.
 *
 * @example
 * ```ts
 * const client = createGraphQLClient(api);
 * const { students } = await client.query(STUDENTS, { limit: 10 });
 * ```
 */
export interface GraphQLClient {
  /** Runs a query; resolves to `data`, throws {@link GraphQLRequestError} when the answer has errors. */
  query<TData = any, TVariables = Record<string, unknown>>(
    document: DocumentInput<TData, TVariables>,
    variables?: TVariables,
    config?: AxiosRequestConfig,
  ): Promise<TData>;
  /** Runs a mutation; resolves to `data`, throws {@link GraphQLRequestError} when the answer has errors. */
  mutate<TData = any, TVariables = Record<string, unknown>>(
    document: DocumentInput<TData, TVariables>,
    variables?: TVariables,
    config?: AxiosRequestConfig,
  ): Promise<TData>;
  /** Runs any operation and resolves to the answer, errors included (also for 4xx answers with a GraphQL body). */
  request<TData = any, TVariables = Record<string, unknown>>(
    document: DocumentInput<TData, TVariables>,
    variables?: TVariables,
    config?: AxiosRequestConfig,
  ): Promise<GraphQLResult<TData>>;
  /** Counters: `coalesced`, the calls that shared a request already in flight. */
  readonly stats: Readonly<GraphQLClientStats>;
}

/**
 * Scrubs the token the request carried from server errors that echo it (message, `extensions`). At
 * HTTP 4xx the plugin has already scrubbed the answer (and the header) of the error it rejected
 * with; on a plain instance, or at 200, the header still holds the token sent.
 */
function scrubErrors(errors: GraphQLErrorShape[], response: AxiosResponse | undefined): GraphQLErrorShape[] {
  return redactDeep(errors, [credentialOf(response?.config?.headers)]);
}

/**
 * Creates a GraphQL client on an axios instance (attach the token refresh to the instance first, or
 * use `createNextSchoolClient`). Documents may be strings, `gql` documents, graphql-tag
 * `DocumentNode`s or GraphQL Code Generator typed documents; `operationName` is sent when the
 * document names its operation.
 *
 * Identical queries in flight are sent once (docs/graphql-client.md#coalescing): same document,
 * variables, operation name and request config; never a mutation. Each caller gets its own copy of
 * the answer or error; one caller aborting cancels nothing for the others. `coalesce: false` turns
 * it off for the client or for one call.
 *
 * @param instance - the axios instance to send through (its interceptors apply)
 * @param options - `url`: the GraphQL endpoint relative to the instance's `baseURL` (default `''`);
 *   `coalesce`: share identical queries in flight (default `true`)
 *
 * @example
 * ```ts
 * const api = axios.create({ baseURL: 'https://data.nextschool.io/' });
 * attachTokenRefresh(api, { tokens });
 * const client = createGraphQLClient(api);
 * const data = await client.query(gql`{ students(limit: 5) { id fullName } }`);
 * ```
 */
export function createGraphQLClient(instance: AxiosInstance, options: GraphQLClientOptions = {}): GraphQLClient {
  if (!instance || typeof (instance as { request?: unknown }).request !== 'function') {
    throw new TypeError(`Expected \`instance\` to be an axios instance, got \`${instance === null ? 'null' : typeof instance}\``);
  }
  const url = options.url ?? '';
  if (typeof url !== 'string') throw new TypeError(`Expected \`options.url\` to be a string, got \`${typeof url}\``);
  const { coalesce, ignoreHeaders } = coalesceOptionsOf(options);
  const sender = createSender(instance, url, coalesce, ignoreHeaders);

  async function request<TData>(
    document: DocumentInput,
    variables?: unknown,
    config?: AxiosRequestConfig,
    mutation = false,
  ): Promise<GraphQLResult<TData>> {
    const { query, operationName } = sourceOf(document);
    if (variables !== undefined && (variables === null || typeof variables !== 'object' || Array.isArray(variables))) {
      throw new TypeError(
        `Expected \`variables\` to be an object, got \`${variables === null ? 'null' : Array.isArray(variables) ? 'an array' : typeof variables}\``,
      );
    }
    let response: AxiosResponse | undefined;
    let answer: unknown;
    try {
      const result: unknown = await sender.send({ query, operationName, variables, config, mutation });
      // A response interceptor of the user's may have unwrapped `data`.
      if (isResponse(result)) {
        response = result;
        answer = parseBody(result.data);
      } else answer = result;
    } catch (error) {
      // Apollo & co. answer validation errors with HTTP 400 and a GraphQL body: that is an answer, not a transport failure.
      const failed = isAxiosError(error) ? error.response : undefined;
      const parsed = failed ? parseBody(failed.data) : undefined;
      if (!failed || answersOf(parsed).length === 0 || !Array.isArray((answersOf(parsed)[0] as { errors?: unknown }).errors)) throw error;
      response = failed;
      answer = parsed;
    }
    const first = answersOf(answer)[0];
    // A GraphQL answer has `data` or `errors`; anything else (an HTML page, a reshaped body) is not one.
    if (!first || (!('data' in first) && !('errors' in first))) {
      const status = response?.status ?? 'unknown';
      throw new GraphQLRequestError([{ message: `The answer (HTTP ${status}) is not a GraphQL response` }], {
        response: cleanResponse(response),
      });
    }
    const errors = errorsOf(first);
    const data = (first.data ?? null) as TData | null;
    return {
      data,
      ...(Array.isArray(first.errors) ? { errors: scrubErrors(errors, response) } : {}),
      response: response as AxiosResponse,
    };
  }

  // Not async: one pending frame per call instead of two (requests may wait by the thousand).
  function dataOf<TData>(
    document: DocumentInput,
    variables: unknown,
    config: AxiosRequestConfig | undefined,
    mutation: boolean,
  ): Promise<TData> {
    return request<TData>(document, variables, config, mutation).then((result) => {
      if (result.errors && result.errors.length > 0) {
        throw new GraphQLRequestError<TData>(result.errors, { data: result.data, response: cleanResponse(result.response) });
      }
      return result.data as TData;
    });
  }

  return {
    query: (document, variables, config) => dataOf(document, variables, config, false),
    // mutate() says the caller means a mutation: never shared, whatever the document holds.
    mutate: (document, variables, config) => dataOf(document, variables, config, true),
    request: (document, variables, config) => request(document, variables, config),
    get stats() {
      return { coalesced: sender.coalesced };
    },
  };
}

/** `options.coalesce`, checked: whether calls share by default, and the headers that do not count. */
function coalesceOptionsOf(options: GraphQLClientOptions): { coalesce: boolean; ignoreHeaders: readonly string[] } {
  const { coalesce = true } = options;
  expectOption(
    typeof coalesce === 'boolean' || (!!coalesce && typeof coalesce === 'object' && !Array.isArray(coalesce)),
    'options.coalesce',
    'a boolean or an object',
    coalesce,
  );
  const ignoreHeaders =
    typeof coalesce === 'object' && coalesce.ignoreHeaders !== undefined ? coalesce.ignoreHeaders : DEFAULT_IGNORED_HEADERS;
  expectOption(
    Array.isArray(ignoreHeaders) && ignoreHeaders.every((name) => typeof name === 'string'),
    'options.coalesce.ignoreHeaders',
    'an array of header names',
    ignoreHeaders,
  );
  return { coalesce: coalesce !== false, ignoreHeaders };
}
