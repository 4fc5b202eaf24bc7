import { type DocumentNode, Kind, type OperationDefinitionNode, parse, print, visit } from 'graphql';
import { attachTo, closeServers, dataRequests, openServer } from '../support/contract';
import type { ReceivedRequest } from '../support/graphql-server';

// Documents as graphql-tag/loader builds them, and ASTs changed with `visit` (docs/graphql-client.md,
// "Other documents").
// The client must send what the document holds, not `loc.source.body`.

afterEach(closeServers);

// A `.graphql` file with two operations and an imported fragment, as graphql-tag/loader sees it.
const FILE = `#import "./student-fields.graphql"

query Students {
  students { ...StudentFields }
}

query Me {
  me
}
`;
const FRAGMENT_FILE = `fragment StudentFields on Student { id fullName }
`;

/**
 * What graphql-tag/loader exports for one operation of FILE: that operation plus the fragments it
 * needs (here one whose definition comes from another source), with the whole file's `loc`.
 */
function loaderDocument(operationName: string): DocumentNode {
  const file = parse(FILE);
  const fragments = parse(FRAGMENT_FILE);
  const operation = file.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION && d.name?.value === operationName)!;
  const needsFragment = operationName === 'Students';
  return { kind: Kind.DOCUMENT, definitions: needsFragment ? [operation, ...fragments.definitions] : [operation], loc: file.loc };
}

function sentDocument(request: ReceivedRequest): { definitions: string[]; operationName?: string } {
  const payload = JSON.parse(request.body);
  const doc = parse(payload.query);
  return {
    definitions: doc.definitions.map((d) => `${d.kind}:${(d as OperationDefinitionNode).name?.value}`),
    operationName: payload.operationName,
  };
}

describe('createGraphQLClient(instance).query(document): graphql-tag/loader documents', () => {
  it('sends exactly the operation and its imported fragment, with its operationName, when loc.source.body is the whole file', async () => {
    const server = await openServer();
    const { client } = attachTo(server);

    const data = await client.query<{ students: Array<{ id: number; fullName: string }> }>(loaderDocument('Students'));

    expect(data.students).toHaveLength(3);
    expect(data.students[0].fullName).toBeTruthy();
    const [sent] = dataRequests(server);
    expect(sentDocument(sent)).toEqual({
      definitions: ['OperationDefinition:Students', 'FragmentDefinition:StudentFields'],
      operationName: 'Students',
    });
  });

  it('sends the second operation of the file alone', async () => {
    const server = await openServer();
    const { client } = attachTo(server);

    const data = await client.query<{ me: string }>(loaderDocument('Me'));

    expect(data.me).toBe(server.username);
    const [sent] = dataRequests(server);
    expect(sentDocument(sent)).toEqual({ definitions: ['OperationDefinition:Me'], operationName: 'Me' });
  });

  it('sends an AST changed with visit (__typename added to every selection set) as changed', async () => {
    const server = await openServer();
    const { client } = attachTo(server);
    const original = parse('query Students { students { id fullName } }');
    const withTypename = visit(original, {
      SelectionSet: {
        leave(node) {
          const has = node.selections.some((s) => s.kind === Kind.FIELD && s.name.value === '__typename');
          if (has) return undefined;
          return { ...node, selections: [...node.selections, { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } }] };
        },
      },
    });
    expect(print(withTypename)).toContain('__typename'); // the fixture did change the AST

    const data = await client.query<{ students: Array<{ __typename: string }> }>(withTypename);

    expect(data.students[0].__typename).toBe('Student');
    const [sent] = dataRequests(server);
    expect(JSON.parse(sent.body).query).toContain('__typename');
  });
});
