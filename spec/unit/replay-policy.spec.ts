import type { AxiosResponse } from 'axios';
import { describeOperation, listOperations } from '../../lib/graphql/scan';
import { replaySafety } from '../../lib/replay-policy';

const CODES = ['UNAUTHENTICATED'];
const post = (body: unknown) => ({ method: 'post', data: JSON.stringify(body) });
const res = (data: unknown) => ({ status: 200, data }) as AxiosResponse;
const unauthAt = (path?: string[]) => ({ message: 'Authentication required', ...(path ? { path } : {}), extensions: { code: 'UNAUTHENTICATED' } });

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
    expect(replaySafety(post({ query: '{ students { id } }' }), res({ data: { students: null }, errors: [unauthAt(['students'])] }), CODES, false)).toBe('replay');
    expect(replaySafety({ method: 'get', params: { query: 'mutation { x }' } }, res({}), CODES, false)).toBe('replay');
  });
  it('replays a mutation rejected at request level (no path)', () => {
    expect(replaySafety(post({ query: 'mutation { a b }' }), res({ errors: [unauthAt()] }), CODES, false)).toBe('replay');
  });
  it('replays a mutation when data is null and every root field has an error at its path', () => {
    expect(replaySafety(post({ query: 'mutation { a b }' }), res({ data: null, errors: [unauthAt(['a']), { message: 'x', path: ['b'] }] }), CODES, false)).toBe('replay');
  });
  it('does not replay when data is null but one root field has no error (it may have run)', () => {
    expect(replaySafety(post({ query: 'mutation { a b }' }), res({ data: null, errors: [unauthAt(['b'])] }), CODES, false)).toBe('may-have-run');
  });
  it('does not replay when data is present', () => {
    expect(replaySafety(post({ query: 'mutation { a }' }), res({ data: { a: null }, errors: [unauthAt(['a'])] }), CODES, false)).toBe('may-have-run');
  });
  it('replays after an auth HTTP status', () => {
    expect(replaySafety(post({ query: 'mutation { a }' }), res('Unauthorized'), CODES, true)).toBe('replay');
  });
  it('treats an unreadable POST body (persisted query by hash) as a possible mutation', () => {
    const body = { extensions: { persistedQuery: { sha256Hash: 'abc' } } };
    expect(replaySafety(post(body), res({ data: null, errors: [unauthAt(['x'])] }), CODES, false)).toBe('may-have-run');
    expect(replaySafety(post(body), res({ errors: [unauthAt()] }), CODES, false)).toBe('replay');
  });
  it('checks each entry of a batch', () => {
    const batch = post([{ query: 'query { a }' }, { query: 'mutation { b }' }]);
    expect(replaySafety(batch, res([{ data: { a: 1 } }, { data: null, errors: [unauthAt(['b'])] }]), CODES, false)).toBe('replay');
    expect(replaySafety(batch, res([{ data: { a: 1 } }, { data: { b: 1 } }]), CODES, false)).toBe('may-have-run');
  });
  it('never replays a stream body', () => {
    expect(replaySafety({ method: 'post', data: { pipe() {} } }, res({ errors: [unauthAt()] }), CODES, false)).toBe('stream');
  });
});
