import axios from 'axios';
import { createNextSchoolClient } from '../../lib/nextschool';
import { type SandboxServer, startSandboxServer } from '../../lib/testing';

// Pacing against the sandbox, which implements NextSchool's limits as fixed windows
// (docs/rate-limits.md), scaled down so that a test takes about a second: the server must never
// have to decline a request. Outcomes are decided by what the server counted, not by timing.

const open: SandboxServer[] = [];
async function sandbox(rateLimits: NonNullable<Parameters<typeof startSandboxServer>[0]>['rateLimits']): Promise<SandboxServer> {
  const s = await startSandboxServer({ rateLimits });
  open.push(s);
  return s;
}
afterEach(async () => Promise.all(open.splice(0).map((s) => s.close())));

describe('createNextSchoolClient({ rateLimit }) against the sandbox', () => {
  it('answers 40 queries at once with 10 a window allowed, and the server declines none', async () => {
    const s = await sandbox({ perUser: 10, perIp: 1_000, login: 5, windowMs: 400 });
    const ns = createNextSchoolClient({
      url: s.url,
      username: s.username,
      password: s.password,
      coalesce: false, // one request per call: pacing is what is measured
      rateLimit: { intervalCap: 10, interval: 400 },
    });
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => ns.students({ limit: 1 + (i % 3) })));
    answers.forEach((list, i) => expect(list).toHaveLength(1 + (i % 3)));
    expect(s.stats.rateLimited).toBe(0);
    expect(s.stats.requests).toBe(41); // one login, forty queries: nothing sent twice
  });

  it('learns the budget left from X-RateLimit-Remaining and X-RateLimit-Reset: traffic it did not send is not declined for', async () => {
    // The per-IP limit (HTTP 429) is shared with another client on this host, which spent 6 of 12.
    const s = await sandbox({ perUser: 1_000, perIp: 12, login: 5, windowMs: 600 });
    const other = axios.create({ baseURL: s.url, validateStatus: () => true });
    const ns = createNextSchoolClient({
      url: s.url,
      username: s.username,
      password: s.password,
      coalesce: false, // one request per call: pacing is what is measured
      rateLimit: { intervalCap: 100, interval: 600 },
    });
    await ns.students({ limit: 1 }); // the login and one query: 2 of the window
    await Promise.all(Array.from({ length: 6 }, () => other.post('', { query: '{ __typename }' })));
    await ns.students({ limit: 1 }); // its answer says 3 are left
    const answers = await Promise.all(Array.from({ length: 8 }, () => ns.students({ limit: 2 })));
    answers.forEach((list) => expect(list).toHaveLength(2));
    expect(s.stats.rateLimited).toBe(0);
  });
});
