import { readFileSync } from 'node:fs';
import axios from 'axios';
import { type SandboxServer, startSandboxServer } from '../../lib/testing';

// docs/migrating-from-axios-auth-refresh.md: its before/after files, run against the sandbox, with
// the outcome the page states. The page shows the files verbatim (checked here too).
/* eslint-disable @typescript-eslint/no-require-imports */
const before = require('../../docs/examples/migrating/before.cjs');
const after = require('../../docs/examples/migrating/after.cjs');
const { exercise } = require('../../docs/examples/migrating/run.cjs');
/* eslint-enable @typescript-eslint/no-require-imports */

const open: SandboxServer[] = [];
afterEach(async () => Promise.all(open.splice(0).map((s) => s.close())));
async function sandbox(): Promise<SandboxServer> {
  const s = await startSandboxServer({ rateLimits: false });
  open.push(s);
  return s;
}

describe('docs/migrating-from-axios-auth-refresh.md', () => {
  it('shows before.cjs and after.cjs verbatim', () => {
    const page = readFileSync(`${__dirname}/../../docs/migrating-from-axios-auth-refresh.md`, 'utf8');
    for (const file of ['before.cjs', 'after.cjs']) {
      expect(page).toContain(readFileSync(`${__dirname}/../../docs/examples/migrating/${file}`, 'utf8').trim());
    }
  });

  // before.cjs throws an `axios.AxiosError`, a class axios has from 0.27 on.
  const withAxiosError = typeof (axios as { AxiosError?: unknown }).AxiosError === 'function';
  (withAxiosError ? it : it.skip)(
    'before (axios-auth-refresh 5): answers that fail while its refresh runs are rejected, not retried',
    async () => {
      const s = await sandbox();
      const { answered, failures } = await exercise(before.createApi({ url: s.url, username: s.username, password: s.password }), s);
      expect(answered).toBeLessThan(40);
      expect(failures.length).toBe(40 - answered);
      expect(new Set(failures)).toEqual(new Set(['UNAUTHENTICATED']));
      expect(s.stats.refreshes).toBe(1);
    },
  );

  it('after (axios-graphql-refresh): every query answered, one login and one refresh', async () => {
    const s = await sandbox();
    const { answered, failures } = await exercise(after.createApi({ url: s.url, username: s.username, password: s.password }), s);
    expect([answered, failures]).toEqual([40, []]);
    expect([s.stats.logins, s.stats.refreshes]).toEqual([1, 1]);
  });
});
