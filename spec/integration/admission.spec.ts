import http from 'node:http';
import { closeAll, harness, STUDENTS } from '../support/setup';

// Admission through the pacer (docs/how-it-works.md, "admission"): with a bounded pool, the plugin
// hands the transport at most `maxSockets` requests at a time, so that the rest wait in the plugin —
// where a token found dead is replaced — instead of in the agent's queue, from which they would
// all leave with it. Counted on a real server: the requests that carried the dead token.

afterEach(closeAll);

const agents: http.Agent[] = [];
afterEach(() => agents.splice(0).forEach((a) => a.destroy()));
const bounded = (maxSockets: number) => {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  agents.push(agent);
  return agent;
};

describe('attachTokenRefresh(instance) with a bounded agent (maxSockets)', () => {
  it('sends at most maxSockets + 1 requests with a token the server revoked, in a herd of 60 on an unknown expiry', async () => {
    const h = await harness();
    h.api.defaults.httpAgent = bounded(4);
    const dead = h.initial.accessToken;
    h.server.expireAccessTokens();
    const answers = await Promise.all(Array.from({ length: 60 }, () => h.client.query(STUDENTS)));
    expect(answers).toHaveLength(60);
    const withDeadToken = h.studentRequests().filter((t) => t === dead).length;
    expect(withDeadToken).toBeGreaterThanOrEqual(1);
    expect(withDeadToken).toBeLessThanOrEqual(4 + 1);
    expect(h.server.stats.refreshes).toBe(1);
    expect(h.studentRequests().length).toBeLessThanOrEqual(60 + 4 + 1);
  });
});
