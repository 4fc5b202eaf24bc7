import type { AxiosInstance, AxiosRequestConfig, AxiosResponse } from 'axios';
import { type DocumentInput, sourceOf } from '../documents/document';
import type { GraphQLErrorShape } from '../documents/types';
import { GraphQLRequestError } from '../errors/graphql-request-error';
import { answersOf, errorsOf } from '../policy/detect';
import { isResponse, parseBody } from '../util/body';
import { cleanResponse, credentialOf, isAxiosError, redactDeep } from '../util/redact';

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
 * @param instance - the axios instance to send through (its interceptors apply)
 * @param options - `url`: the GraphQL endpoint relative to the instance's `baseURL` (default `''`)
 *
 * @example
 * ```ts
 * const api = axios.create({ baseURL: 'https://data.nextschool.io/' });
 * attachTokenRefresh(api, { tokens });
 * const client = createGraphQLClient(api);
 * const data = await client.query(gql`{ students(limit: 5) { id fullName } }`);
 * ```
 */
export function createGraphQLClient(instance: AxiosInstance, options: { url?: string } = {}): GraphQLClient {
  if (!instance || typeof (instance as { request?: unknown }).request !== 'function') {
    throw new TypeError(`Expected \`instance\` to be an axios instance, got \`${instance === null ? 'null' : typeof instance}\``);
  }
  const url = options.url ?? '';
  if (typeof url !== 'string') throw new TypeError(`Expected \`options.url\` to be a string, got \`${typeof url}\``);

  async function request<TData>(document: DocumentInput, variables?: unknown, config?: AxiosRequestConfig): Promise<GraphQLResult<TData>> {
    const { query, operationName } = sourceOf(document);
    if (variables !== undefined && (variables === null || typeof variables !== 'object' || Array.isArray(variables))) {
      throw new TypeError(
        `Expected \`variables\` to be an object, got \`${variables === null ? 'null' : Array.isArray(variables) ? 'an array' : typeof variables}\``,
      );
    }
    const body: Record<string, unknown> = { query };
    if (variables !== undefined) body.variables = variables;
    if (operationName) body.operationName = operationName;
    let response: AxiosResponse | undefined;
    let answer: unknown;
    try {
      const result: unknown = await instance.request({ url, method: 'post', ...config, data: body });
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
  function dataOf<TData>(document: DocumentInput, variables?: unknown, config?: AxiosRequestConfig): Promise<TData> {
    return request<TData>(document, variables, config).then((result) => {
      if (result.errors && result.errors.length > 0) {
        throw new GraphQLRequestError<TData>(result.errors, { data: result.data, response: cleanResponse(result.response) });
      }
      return result.data as TData;
    });
  }

  return {
    query: (document, variables, config) => dataOf(document, variables, config),
    mutate: (document, variables, config) => dataOf(document, variables, config),
    request: (document, variables, config) => request(document, variables, config),
  };
}
