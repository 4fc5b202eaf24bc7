import { listOperations } from './scan';

/**
 * A GraphQL document made by {@link gql}. `TData`/`TVariables` type the client's result and
 * variables; `__apiType` is the same phantom field GraphQL Code Generator's `TypedDocumentNode` uses.
 *
 * @example
 * ```ts
 * const ME: GqlDocument<{ me: string }> = gql`query Me { me }`;
 * ME.operationName; // 'Me'
 * ```
 */
export interface GqlDocument<TData = any, TVariables = Record<string, unknown>> {
  readonly kind: 'GqlDocument';
  /** The full text sent to the server: this document, then each fragment it uses, once. */
  readonly source: string;
  /** The name of the document's only operation, if it has one. */
  readonly operationName?: string;
  /** This document's own text, without the appended fragments. */
  readonly body: string;
  /** Texts of the fragments it depends on, each once, in order. */
  readonly fragments: readonly string[];
  readonly __apiType?: (variables: TVariables) => TData;
  toString(): string;
}

function isGqlDocument(value: unknown): value is GqlDocument {
  return (
    !!value && typeof value === 'object' && (value as GqlDocument).kind === 'GqlDocument' && typeof (value as GqlDocument).body === 'string'
  );
}

/**
 * Tags a GraphQL document. Interpolated `gql` documents (fragments) are appended once each, however
 * often they are used; interpolated strings are inserted as text. Pass values as **variables**,
 * never by interpolation.
 *
 * @typeParam TData - the shape of `data` the operation returns
 * @typeParam TVariables - the operation's variables
 *
 * @example
 * ```ts
 * const STUDENT_FIELDS = gql`fragment StudentFields on Student { id fullName classroomName }`;
 * const STUDENTS = gql<{ students: Student[] }, { search?: string }>`
 *   query Students($search: String) { students(search: $search) { ...StudentFields } }
 *   ${STUDENT_FIELDS}
 * `;
 * const { students } = await client.query(STUDENTS, { search: 'สมชาย' });
 * ```
 */
export function gql<TData = any, TVariables = Record<string, unknown>>(
  strings: TemplateStringsArray,
  ...parts: Array<string | GqlDocument>
): GqlDocument<TData, TVariables> {
  if (!strings || !Array.isArray(strings.raw)) {
    throw new TypeError('Expected `gql` to be used as a template tag: gql`query { … }`');
  }
  let body = strings[0] ?? '';
  const fragments: string[] = [];
  const add = (text: string) => {
    const trimmed = text.trim();
    if (trimmed && !fragments.includes(trimmed)) fragments.push(trimmed);
  };
  parts.forEach((part, index) => {
    if (isGqlDocument(part)) {
      part.fragments.forEach(add);
      add(part.body);
    } else if (typeof part === 'string') {
      body += part;
    } else {
      throw new TypeError(
        `Expected \`gql\` interpolation ${index} to be a gql document or a string, got \`${part === null ? 'null' : typeof part}\``,
      );
    }
    body += strings[index + 1] ?? '';
  });
  const ownBody = body.trim();
  const extra = fragments.filter((f) => f !== ownBody);
  const source = [ownBody, ...extra].join('\n\n');
  const operations = listOperations(source);
  const operationName = operations && operations.length === 1 ? operations[0]!.name : undefined;
  return Object.freeze({
    kind: 'GqlDocument' as const,
    source,
    body: ownBody,
    fragments: Object.freeze(extra),
    ...(operationName ? { operationName } : {}),
    toString: () => source,
  });
}
