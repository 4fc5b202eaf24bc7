// Type tests for gql`…` and the client, checked by `npm run typecheck` (tsc -p . includes spec/), not
// run by Jest: a runtime `expect` on a type asserts nothing. `expectTypeOf` fails the type-check when
// a type drifts, including to `any`.
import type { AxiosInstance } from 'axios';
import { expectTypeOf } from 'expect-type';
import { createGraphQLClient, type GqlDocument, type GraphQLResult, gql } from '../../lib';

type Students = { students: Array<{ id: number }> };
type Limit = { limit: number };

const STUDENTS = gql<Students, Limit>`query S($limit: Int) { students(limit: $limit) { id } }`;

// The generics flow into the document…
expectTypeOf(STUDENTS).toEqualTypeOf<GqlDocument<Students, Limit>>();
type Api = NonNullable<typeof STUDENTS.__apiType>;
expectTypeOf<Parameters<Api>[0]>().toEqualTypeOf<Limit>();
expectTypeOf<ReturnType<Api>>().toEqualTypeOf<Students>();
expectTypeOf<Parameters<Api>[0]>().not.toBeAny();
expectTypeOf<ReturnType<Api>>().not.toHaveProperty('teachers');

// …and from the document into the client's calls: variables checked, data typed.
declare const api: AxiosInstance;
const client = createGraphQLClient(api);
expectTypeOf(client.query(STUDENTS, { limit: 1 })).toEqualTypeOf<Promise<Students>>();
expectTypeOf(client.mutate(STUDENTS, { limit: 1 })).toEqualTypeOf<Promise<Students>>();
expectTypeOf(client.request(STUDENTS, { limit: 1 })).toEqualTypeOf<Promise<GraphQLResult<Students>>>();
// @ts-expect-error `limit` is a number
void client.query(STUDENTS, { limit: 'one' });

// Without generics a document is untyped on purpose (`any` data, loose variables).
expectTypeOf(gql`{ students { id } }`).toEqualTypeOf<GqlDocument>();
