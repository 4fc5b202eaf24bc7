import type { AxiosResponse } from 'axios';
import type { GraphQLErrorShape } from '../documents/types';
import { hasNameAndCode, PluginError } from './plugin-error';

/**
 * The server answered with GraphQL `errors` (whatever the HTTP status). `code` is the first
 * error's `extensions.code` (e.g. `FORBIDDEN`), `data` the partial data if any, and `response` a
 * cleaned copy of the answer: no `Authorization` header, no raw request object.
 *
 * @example
 * ```ts
 * try { await client.query(STUDENTS); }
 * catch (error) {
 *   if (isGraphQLRequestError(error) && error.code === 'FORBIDDEN') showNoSchoolMessage();
 * }
 * ```
 */
export class GraphQLRequestError<TData = unknown> extends PluginError {
  override readonly name = 'GraphQLRequestError';
  /** The first error's `extensions.code`, or `GRAPHQL_ERROR` when it has none. */
  readonly code: string;
  readonly errors: GraphQLErrorShape[];
  readonly data: TData | null;
  /** A cleaned copy of the HTTP answer (non-enumerable, so logging the error does not dump it). */
  declare readonly response?: AxiosResponse;

  constructor(errors: GraphQLErrorShape[], options: { data?: TData | null; response?: AxiosResponse; cause?: unknown } = {}) {
    super(summarize(errors), options);
    this.errors = errors;
    this.data = options.data ?? null;
    const code = errors[0]?.extensions?.code;
    this.code = typeof code === 'string' ? code : 'GRAPHQL_ERROR';
    Object.defineProperty(this, 'response', { value: options.response, enumerable: false, configurable: true });
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), errors: this.errors, status: this.response?.status };
  }
}

function summarize(errors: GraphQLErrorShape[]): string {
  const messages = errors.map((e) => (typeof e?.message === 'string' ? e.message : 'Unknown error'));
  if (messages.length === 0) return 'GraphQL request failed';
  const more = messages.length > 1 ? ` (and ${messages.length - 1} more)` : '';
  return `${messages[0]}${more}`;
}

/**
 * Recognises a {@link GraphQLRequestError}, also one from another copy of this package.
 *
 * @example
 * ```ts
 * if (isGraphQLRequestError(error)) console.log(error.code, error.errors);
 * ```
 */
export function isGraphQLRequestError(value: unknown): value is GraphQLRequestError {
  return value instanceof GraphQLRequestError || hasNameAndCode(value, 'GraphQLRequestError');
}
