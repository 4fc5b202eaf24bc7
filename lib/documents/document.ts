import type { GqlDocument } from './gql';
import { listOperations } from './scan';

/** A GraphQL AST node, as graphql-js / graphql-tag / GraphQL Code Generator produce it. */
interface AstNode {
  kind: string;
  [key: string]: any;
}

/**
 * Anything the client accepts as a document: a string, a {@link GqlDocument}, a graphql-tag
 * `DocumentNode`, a Code Generator `TypedDocumentNode` or `TypedDocumentString`. The phantom
 * `__apiType` carries result and variable types through.
 *
 * @example
 * ```ts
 * import { StudentsDocument } from '../graphql/gql/graphql'; // GraphQL Code Generator output
 * const { students } = await client.query(StudentsDocument, { limit: 10 }); // typed
 * ```
 */
export type DocumentInput<TData = any, TVariables = any> =
  | string
  | GqlDocument<TData, TVariables>
  | { readonly kind: 'Document'; readonly definitions: readonly unknown[]; readonly __apiType?: (variables: TVariables) => TData }
  | (string & { readonly __apiType?: (variables: TVariables) => TData });

export interface DocumentSource {
  query: string;
  operationName?: string;
}

// A compact printer for executable documents, for ASTs without `loc` (Code Generator emits those).
// graphql-js is not loaded: the main entry must not depend on it.
const join = (items: unknown[] | undefined, sep = '') => (items ?? []).filter((x) => x !== '' && x != null).join(sep);
const wrap = (open: string, inner: string, close: string) => (inner ? open + inner + close : '');

function print(node: AstNode | undefined): string {
  if (!node) return '';
  const p = (n: AstNode | undefined) => print(n);
  const list = (ns: AstNode[] | undefined, sep = ' ') => join((ns ?? []).map(p), sep);
  const dirs = (n: AstNode) => list(n.directives);
  switch (node.kind) {
    case 'Document':
      return list(node.definitions, '\n\n');
    case 'OperationDefinition': {
      const vars = wrap('(', list(node.variableDefinitions, ', '), ')');
      const head = join([node.operation, join([p(node.name), vars]), dirs(node)], ' ');
      return join([p(node.description), `${head} ${p(node.selectionSet)}`], ' ');
    }
    case 'VariableDefinition':
      return join([`${p(node.variable)}: ${p(node.type)}`, node.defaultValue ? `= ${p(node.defaultValue)}` : '', dirs(node)], ' ');
    case 'SelectionSet':
      return `{ ${list(node.selections, ' ')} }`;
    case 'Field': {
      const head = join([node.alias ? `${p(node.alias)}: ` : '', p(node.name), wrap('(', list(node.arguments, ', '), ')')]);
      return join([head, dirs(node), p(node.selectionSet)], ' ');
    }
    case 'Argument':
    case 'ObjectField':
      return `${p(node.name)}: ${p(node.value)}`;
    case 'FragmentSpread':
      return join([`...${p(node.name)}`, dirs(node)], ' ');
    case 'InlineFragment':
      return join(['...', node.typeCondition ? `on ${p(node.typeCondition)}` : '', dirs(node), p(node.selectionSet)], ' ');
    case 'FragmentDefinition':
      return join([p(node.description), `fragment ${p(node.name)} on ${p(node.typeCondition)}`, dirs(node), p(node.selectionSet)], ' ');
    case 'Name':
      return String(node.value);
    case 'Variable':
      return `$${p(node.name)}`;
    case 'IntValue':
    case 'FloatValue':
    case 'EnumValue':
      return String(node.value);
    case 'StringValue':
      return JSON.stringify(String(node.value));
    case 'BooleanValue':
      return node.value ? 'true' : 'false';
    case 'NullValue':
      return 'null';
    case 'ListValue':
      return `[${list(node.values, ', ')}]`;
    case 'ObjectValue':
      return `{${list(node.fields, ', ')}}`;
    case 'Directive':
      return `@${p(node.name)}${wrap('(', list(node.arguments, ', '), ')')}`;
    case 'NamedType':
      return p(node.name);
    case 'ListType':
      return `[${p(node.type)}]`;
    case 'NonNullType':
      return `${p(node.type)}!`;
    default:
      throw new TypeError(`Cannot print a GraphQL \`${node.kind}\` node: pass the document as a string`);
  }
}

// A DocumentNode is sent as its definitions, printed — not as `loc.source.body`, which for
// graphql-tag/loader documents is the whole `.graphql` file (other operations, no `#import`ed
// fragments) and for an AST changed with `visit` is the text before the change. Printed once per
// document object: documents are module constants, requests are many.
const printed = new WeakMap<object, DocumentSource>();

function printedSourceOf(document: AstNode): DocumentSource {
  let source = printed.get(document);
  if (!source) {
    let query: string;
    try {
      query = print(document);
    } catch (error) {
      const body = document.loc?.source?.body;
      if (typeof body !== 'string' || !body.trim()) throw error;
      query = body; // a node kind this printer does not know: the original text is the best we have
    }
    source = { query, operationName: nameOf(query) };
    printed.set(document, source);
  }
  return source;
}

function nameOf(query: string): string | undefined {
  const operations = listOperations(query);
  return operations && operations.length === 1 ? operations[0]!.name : undefined;
}

/** The text and operation name of any accepted document. */
export function sourceOf(document: DocumentInput): DocumentSource {
  if (typeof document === 'string') return { query: document, operationName: nameOf(document) };
  if (document instanceof String) {
    const query = document.toString();
    return { query, operationName: nameOf(query) };
  }
  if (document && typeof document === 'object') {
    const d = document as AstNode;
    if (d.kind === 'GqlDocument' && typeof d.source === 'string') return { query: d.source, operationName: d.operationName };
    if (d.kind === 'Document' && Array.isArray(d.definitions)) return printedSourceOf(d);
  }
  throw new TypeError(
    `Expected a GraphQL document (a string, a gql document or a DocumentNode), got \`${document === null ? 'null' : typeof document}\``,
  );
}
