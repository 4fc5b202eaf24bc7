import axios from 'axios';
import { attachTokenRefresh, createGraphQLClient, gql } from '../../lib';
import { PER_TURN } from '../../lib/util/turns';
import { within } from '../support/events';
import { type HeldServer, heldServer } from '../support/held-server';

// Replays leave as soon as the new token exists (docs/how-it-works.md, "when replays leave"): the
// requests already answered UNAUTHENTICATED are sent again once the refresh answers, without
// waiting for the rest of the herd's first answers, which the server may be slow to give.

const STUDENTS = gql`query Students { students { id fullName } }`;
const TOKENS = { accessToken: 'at-revoked', refreshToken: 'rt-0123456789' };

let server: HeldServer;
afterEach(() => server?.close());

describe('replays of a herd on a revoked token', () => {
  // A herd that leaves in one turn (util/turns.ts): every request goes out with the revoked token.
  it.each([
    [10, 5],
    [PER_TURN, PER_TURN - 2],
  ])('of %i queries, the %i answered first are replayed while the server still holds the others', async (n, answered) => {
    server = await heldServer();
    const api = axios.create({ baseURL: server.url });
    attachTokenRefresh(api, { tokens: TOKENS });
    const client = createGraphQLClient(api, { coalesce: false });
    server.holdData(answered);

    const outcomes = Promise.allSettled(Array.from({ length: n }, () => client.query(STUDENTS)));
    await within(server.staleArrived(n), 'the herd did not reach the server');
    await within(server.freshArrived(answered), 'the replays waited for the held first answers');
    const heldWhenReplayed = server.heldNow;
    server.releaseAll();

    expect(heldWhenReplayed).toBe(n - answered);
    expect((await outcomes).map((o) => o.status)).toEqual(Array(n).fill('fulfilled'));
    expect(server.received.filter((r) => r.operationName === 'RefreshToken')).toHaveLength(1);
  });
});

describe('a herd of 100 queries on a revoked token', () => {
  it('leaves in slices: the refresh starts after the first answers, and the requests that had not left go out once, with the new token', async () => {
    server = await heldServer();
    const api = axios.create({ baseURL: server.url });
    const auth = attachTokenRefresh(api, { tokens: TOKENS });
    const client = createGraphQLClient(api, { coalesce: false });

    const outcomes = await Promise.allSettled(Array.from({ length: 100 }, () => client.query(STUDENTS)));

    expect(outcomes.map((o) => o.status)).toEqual(Array(100).fill('fulfilled'));
    const data = server.received.filter((r) => r.operationName === 'Students');
    const revoked = data.filter((r) => r.authorization === 'Bearer at-revoked').length;
    expect(server.received.filter((r) => r.operationName === 'RefreshToken')).toHaveLength(1);
    // Each request leaves once with the dead token at most; a quarter of the herd never did.
    expect(revoked).toBeLessThanOrEqual(75);
    expect(data).toHaveLength(100 + revoked);
    expect(auth.stats.replays).toBe(revoked);
  });
});
