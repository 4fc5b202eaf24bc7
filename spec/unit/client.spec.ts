import axios from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { createGraphQLClient, gql, isGraphQLRequestError } from '../../lib';

function setup() {
  const api = axios.create({ baseURL: 'https://api.example.test/' });
  const mock = new MockAdapter(api);
  return { api, mock, client: createGraphQLClient(api, { url: 'graphql' }) };
}

describe('createGraphQLClient(instance)', () => {
  it('query() posts query, variables and operationName, and resolves to data', async () => {
    const { mock, client } = setup();
    mock.onPost('graphql').reply((config) => [200, { data: { echo: JSON.parse(config.data) } }]);
    const data = await client.query(gql`query Echo($x: Int) { echo(x: $x) }`, { x: 1 });
    expect(data.echo).toEqual({ query: 'query Echo($x: Int) { echo(x: $x) }', variables: { x: 1 }, operationName: 'Echo' });
  });

  it('mutate() throws GraphQLRequestError with partial data when the answer has errors', async () => {
    const { mock, client } = setup();
    mock
      .onPost('graphql')
      .reply(200, { data: { a: 1, b: null }, errors: [{ message: 'b failed', path: ['b'], extensions: { code: 'BAD' } }] });
    const error = await client.mutate('mutation { a b }').catch((e) => e);
    expect(isGraphQLRequestError(error)).toBe(true);
    expect(error.code).toBe('BAD');
    expect(error.data).toEqual({ a: 1, b: null });
    expect(error.response.status).toBe(200);
  });

  it('turns an HTTP 400 with a GraphQL body into GraphQLRequestError (Apollo validation errors)', async () => {
    const { mock, client } = setup();
    mock
      .onPost('graphql')
      .reply(400, { errors: [{ message: 'Cannot query field "nope"', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] });
    const error = await client.query('{ nope }').catch((e) => e);
    expect(error.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(error.response.status).toBe(400);
  });

  it('request() resolves with errors instead of throwing', async () => {
    const { mock, client } = setup();
    mock.onPost('graphql').reply(400, { errors: [{ message: 'bad' }] });
    const result = await client.request('{ x }');
    expect(result.data).toBeNull();
    expect(result.errors).toEqual([{ message: 'bad' }]);
    expect(result.response.status).toBe(400);
  });

  it('rethrows transport failures (HTML 502) as the axios error', async () => {
    const { mock, client } = setup();
    mock.onPost('graphql').reply(502, '<html>Bad gateway</html>');
    const error = await client.query('{ x }').catch((e) => e);
    expect(axios.isAxiosError(error)).toBe(true);
    expect(error.response.status).toBe(502);
  });

  it('throws GraphQLRequestError for a 200 answer that is not GraphQL', async () => {
    const { mock, client } = setup();
    mock.onPost('graphql').reply(200, '<html>captive portal</html>');
    const error = await client.query('{ x }').catch((e) => e);
    expect(isGraphQLRequestError(error)).toBe(true);
    expect(error.message).toMatch(/not a GraphQL response/);
  });

  it('throws GraphQLRequestError for a JSON answer with neither data nor errors', async () => {
    const { mock, client } = setup();
    mock.onPost('graphql').reply(200, { result: 'ok' });
    await expect(client.query('{ x }')).rejects.toThrow(/not a GraphQL response/);
  });

  it('validates its arguments', async () => {
    const { client } = setup();
    await expect(client.query('{ x }', [] as never)).rejects.toThrow('Expected `variables` to be an object, got `an array`');
    expect(() => createGraphQLClient(null as never)).toThrow('Expected `instance` to be an axios instance');
  });

  it('passes per-call axios config through', async () => {
    const { mock, client } = setup();
    mock.onPost('graphql').reply((config) => [200, { data: { h: config.headers?.['X-Trace'] } }]);
    await expect(client.query('{ h }', undefined, { headers: { 'X-Trace': 't1' } })).resolves.toEqual({ h: 't1' });
  });
});

describe('createGraphQLClient(instance) with the plugin attached', () => {
  it('scrubs the sent token from server messages that echo it', async () => {
    const { attachTokenRefresh } = await import('../../lib');
    const api = axios.create({ baseURL: 'https://api.example.test/' });
    const mock = new MockAdapter(api);
    attachTokenRefresh(api, { tokens: { accessToken: 'tok-SECRET-123' } });
    mock.onPost('').reply(200, { errors: [{ message: 'Token tok-SECRET-123 lacks scope', extensions: { code: 'FORBIDDEN' } }] });
    const error = await createGraphQLClient(api)
      .query('{ x }')
      .catch((e) => e);
    expect(error.code).toBe('FORBIDDEN');
    expect(error.message).toBe('Token [redacted] lacks scope');
    expect(JSON.stringify(error.errors)).not.toContain('tok-SECRET-123');
  });
});
