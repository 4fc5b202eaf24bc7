import type { AxiosResponse } from 'axios';
import { describeOperation, listOperations } from '../../lib/documents/scan';
import { replaySafety } from '../../lib/policy/replay-safety';

const CODES = ['UNAUTHENTICATED'];
const post = (body: unknown) => ({ method: 'post', data: JSON.stringify(body) });
const res = (data: unknown, status = 200) => ({ status, data }) as AxiosResponse;
const unauthAt = (path?: string[]) => ({
  message: 'Authentication required',
  ...(path ? { path } : {}),
  extensions: { code: 'UNAUTHENTICATED' },
});

describe('describeOperation', () => {
  it('reads type, name and root response keys (aliases included)', () => {
    expect(describeOperation('mutation Add($t: String!) { a: addNote(text: $t) { id } ping @skip(if: false) }')).toEqual({
      type: 'mutation',
      name: 'Add',
      rootFields: ['a', 'ping'],
    });
    expect(describeOperation('{ students { id } }')).toEqual({ type: 'query', rootFields: ['students'] });
  });
  it('ignores strings, block strings and comments', () => {
    const op = describeOperation('# mutation { x }\nquery Q { s(search: "} mutation {") t(d: """ { """) }');
    expect(op).toEqual({ type: 'query', name: 'Q', rootFields: ['s', 't'] });
  });
  it('picks the operation named by operationName among several', () => {
    const doc = 'query A { a } mutation B { b } fragment F on T { x }';
    expect(describeOperation(doc, 'B')?.type).toBe('mutation');
    expect(describeOperation(doc)).toBeUndefined();
    expect(listOperations(doc)).toHaveLength(2);
  });
  it('returns null root fields when a fragment spreads at the root', () => {
    expect(describeOperation('mutation { ...F }')?.rootFields).toBeNull();
  });
  it('gives up on text it cannot read', () => {
    expect(describeOperation('nonsense here')).toBeUndefined();
  });
});

describe('replaySafety', () => {
  it('always replays queries', () => {
    expect(
      replaySafety(post({ query: '{ students { id } }' }), res({ data: { students: null }, errors: [unauthAt(['students'])] }), CODES),
    ).toBe('replay');
    expect(replaySafety({ method: 'get', params: { query: 'mutation { x }' } }, res({}), CODES)).toBe('replay');
  });
  it('replays a mutation rejected at request level (no path)', () => {
    expect(replaySafety(post({ query: 'mutation { a b }' }), res({ errors: [unauthAt()] }), CODES)).toBe('replay');
  });
  it('replays a mutation when data is null and every root field has an auth error at its path', () => {
    expect(replaySafety(post({ query: 'mutation { a b }' }), res({ data: null, errors: [unauthAt(['a']), unauthAt(['b'])] }), CODES)).toBe(
      'replay',
    );
  });
  it('does not replay when a root field has only a non-auth error at its path (its resolver ran, then threw)', () => {
    const internalAt = (path: string[]) => ({ message: 'x', path, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(
      replaySafety(post({ query: 'mutation { a b }' }), res({ data: null, errors: [unauthAt(['a']), internalAt(['b'])] }), CODES),
    ).toBe('may-have-run');
    expect(
      replaySafety(
        post({ query: 'mutation { a b }' }),
        res({ data: null, errors: [unauthAt(['a']), { message: 'x', path: ['b'] }] }),
        CODES,
      ),
    ).toBe('may-have-run');
    expect(replaySafety(post({ query: 'mutation { a }' }), res({ data: null, errors: [internalAt(['a'])] }, 401), CODES)).toBe(
      'may-have-run',
    );
  });
  it('does not replay when data is null but one root field has no error (it may have run)', () => {
    expect(replaySafety(post({ query: 'mutation { a b }' }), res({ data: null, errors: [unauthAt(['b'])] }), CODES)).toBe('may-have-run');
  });
  it('does not replay when data is present', () => {
    expect(replaySafety(post({ query: 'mutation { a }' }), res({ data: { a: null }, errors: [unauthAt(['a'])] }), CODES)).toBe(
      'may-have-run',
    );
  });
  it('replays after an auth HTTP status whose body is not a GraphQL answer (refused before execution)', () => {
    expect(replaySafety(post({ query: 'mutation { a }' }), res('Unauthorized', 401), CODES)).toBe('replay');
    expect(replaySafety(post({ query: 'mutation { a }' }), res({ errors: [unauthAt()] }, 401), CODES)).toBe('replay');
  });
  it('does not replay after HTTP 401 when a root field ran (status set from a resolver error)', () => {
    const twoFields = post({ query: 'mutation { createOrder { id } second }' });
    expect(replaySafety(twoFields, res({ data: null, errors: [unauthAt(['second'])] }, 401), CODES)).toBe('may-have-run');
  });
  it('does not replay when the auth error is at a nested path (the root field ran)', () => {
    const body = res({ data: null, errors: [unauthAt(['createOrder', 'receipt'])] });
    expect(replaySafety(post({ query: 'mutation { createOrder { id receipt } }' }), body, CODES)).toBe('may-have-run');
  });
  it('does not count a path-less error as request-level when another error has a path', () => {
    const body = res({ data: null, errors: [unauthAt(), { message: 'x', path: ['a', 'b'] }] });
    expect(replaySafety(post({ query: 'mutation { a { b } }' }), body, CODES)).toBe('may-have-run');
  });
  it('reads the operation of a multipart request and of URL-encoded fields', () => {
    const form = new FormData();
    form.append('operations', JSON.stringify({ query: 'query Q { a }', variables: { file: null } }));
    form.append('map', '{}');
    expect(replaySafety({ method: 'post', data: form }, res({ data: null, errors: [unauthAt(['a'])] }), CODES)).toBe('replay');
    const encoded = { method: 'post', data: new URLSearchParams({ query: 'query { a }' }).toString() };
    expect(replaySafety(encoded, res({ data: null, errors: [unauthAt(['a'])] }), CODES)).toBe('replay');
  });
  it('reads a query with a description, and a fragment whose directive has an object argument', () => {
    expect(describeOperation('"Fetch notes" query Notes { notes { id } }')?.type).toBe('query');
    expect(describeOperation('query Q { ...F } fragment F on Query @x(a: { b: 1 }) { notes { id } }')?.type).toBe('query');
  });
  it('treats an unreadable POST body (persisted query by hash) as a possible mutation', () => {
    const body = { extensions: { persistedQuery: { sha256Hash: 'abc' } } };
    expect(replaySafety(post(body), res({ data: null, errors: [unauthAt(['x'])] }), CODES)).toBe('may-have-run');
    expect(replaySafety(post(body), res({ errors: [unauthAt()] }), CODES)).toBe('replay');
  });
  it('checks each entry of a batch', () => {
    const batch = post([{ query: 'query { a }' }, { query: 'mutation { b }' }]);
    expect(replaySafety(batch, res([{ data: { a: 1 } }, { data: null, errors: [unauthAt(['b'])] }]), CODES)).toBe('replay');
    expect(replaySafety(batch, res([{ data: { a: 1 } }, { data: { b: 1 } }]), CODES)).toBe('may-have-run');
  });
  it('never replays a stream body', () => {
    expect(replaySafety({ method: 'post', data: { pipe() {} } }, res({ errors: [unauthAt()] }), CODES)).toBe('stream');
  });
});
