import { parse } from 'graphql';
import graphqlTag from 'graphql-tag';
import { gql } from '../../lib';
import { sourceOf } from '../../lib/documents/document';

describe('gql`…`', () => {
  const FIELDS = gql`fragment StudentFields on Student { id fullName }`;
  const MORE = gql`fragment More on Student { ...StudentFields code } ${FIELDS}`;

  it('appends each interpolated fragment once, however often it is used', () => {
    const doc = gql`query Students { a: students { ...StudentFields } b: students { ...More } } ${FIELDS} ${MORE}`;
    expect(doc.source.match(/fragment StudentFields/g)).toHaveLength(1);
    expect(doc.source.match(/fragment More/g)).toHaveLength(1);
    expect(doc.source.startsWith('query Students')).toBe(true);
    expect(parse(doc.source).definitions).toHaveLength(3);
  });

  it('knows the operation name, and prints as its source', () => {
    const doc = gql`mutation AddNote($text: String!) { addNote(text: $text) { id } }`;
    expect(doc.operationName).toBe('AddNote');
    expect(String(doc)).toBe(doc.source);
    expect(gql`{ students { id } }`.operationName).toBeUndefined();
  });

  it('inserts interpolated strings as text and rejects other values', () => {
    expect(gql`query { ${'students'} { id } }`.source).toBe('query { students { id } }');
    expect(() => gql`query { ${42 as never} }`).toThrow('Expected `gql` interpolation 0 to be a gql document or a string, got `number`');
  });
  // The generics are checked by the type-check: spec/types/gql.types.ts.
});

describe('sourceOf(document)', () => {
  it('accepts strings, gql documents and graphql-tag DocumentNodes', () => {
    expect(sourceOf('query A { a }')).toEqual({ query: 'query A { a }', operationName: 'A' });
    expect(sourceOf(gql`query B { b }`)).toEqual({ query: 'query B { b }', operationName: 'B' });
    const tagged = graphqlTag`query C($x: Int) { c(x: $x) { id } }`;
    expect(sourceOf(tagged as never)).toEqual({ query: 'query C($x: Int) { c(x: $x) { id } }', operationName: 'C' });
  });

  it('prints a DocumentNode without location (GraphQL Code Generator output) to equivalent text', () => {
    const text =
      'query D($id: Int = 3, $s: [String!]!) @live { d(id: $id, s: $s, o: {a: [1, 2.5, "x", true, null, ENUM]}) { ...F ... on T @include(if: true) { z } } } fragment F on T { y }';
    const ast = JSON.parse(JSON.stringify(parse(text, { noLocation: true })));
    const printed = sourceOf(ast);
    expect(printed.operationName).toBe('D');
    // Same document once normalised by graphql-js.
    const norm = (s: string) => JSON.stringify(parse(s, { noLocation: true }));
    expect(norm(printed.query)).toBe(norm(text));
  });

  it('accepts a TypedDocumentString (a String subclass)', () => {
    class TypedDocumentString extends String {}
    expect(sourceOf(new TypedDocumentString('query E { e }') as never)).toEqual({ query: 'query E { e }', operationName: 'E' });
  });

  it('rejects anything else with a clear message', () => {
    expect(() => sourceOf(42 as never)).toThrow('Expected a GraphQL document (a string, a gql document or a DocumentNode), got `number`');
  });
});
