/** One entry of a GraphQL answer's `errors` array. */
export interface GraphQLErrorShape {
  message: string;
  locations?: Array<{ line: number; column: number }>;
  path?: Array<string | number>;
  extensions?: Record<string, unknown> & { code?: string };
}

/** A GraphQL answer body. */
export interface GraphQLBody<TData = unknown> {
  data?: TData | null;
  errors?: GraphQLErrorShape[];
  extensions?: Record<string, unknown>;
}
