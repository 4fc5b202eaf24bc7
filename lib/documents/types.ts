/**
 * One entry of a GraphQL answer's `errors` array.
 *
 * @example
 * ```ts
 * const error: GraphQLErrorShape = { message: 'Authentication required', path: ['students'], extensions: { code: 'UNAUTHENTICATED' } };
 * ```
 */
export interface GraphQLErrorShape {
  message: string;
  locations?: Array<{ line: number; column: number }>;
  path?: Array<string | number>;
  extensions?: Record<string, unknown> & { code?: string };
}

/**
 * A GraphQL answer body.
 *
 * @example
 * ```ts
 * const body: GraphQLBody<{ students: Student[] }> = (await api.post('', { query })).data;
 * ```
 */
export interface GraphQLBody<TData = unknown> {
  data?: TData | null;
  errors?: GraphQLErrorShape[];
  extensions?: Record<string, unknown>;
}
