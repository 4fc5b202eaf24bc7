'use strict';
// node docs/examples/migrating/run.cjs before|after — runs one of the two against a local sandbox
// (or against NEXTSCHOOL_URL with NEXTSCHOOL_USERNAME / NEXTSCHOOL_PASSWORD, without expiring tokens).
// In a clone: npm ci first (it builds dist/). Elsewhere: npm install axios axios-auth-refresh graphql
// and axios-graphql-refresh (see the README's Install section).
const STUDENTS = 'query Students($limit: Int) { students(limit: $limit) { id fullName } }';

/** 20 concurrent queries, the sandbox revokes every access token, 20 more. */
async function exercise({ api, login }, sandbox) {
  await login();
  const burst = () =>
    Promise.allSettled(Array.from({ length: 20 }, (_, i) => api.post('', { query: STUDENTS, variables: { limit: 1 + (i % 3) } })));
  const first = await burst();
  if (sandbox) sandbox.expireAccessTokens();
  const second = await burst();
  const all = [...first, ...second];
  const answered = all.filter((r) => r.status === 'fulfilled' && Array.isArray(r.value.data?.data?.students)).length;
  const failures = all.filter((r) => r.status === 'rejected').map((r) => r.reason.message);
  return { answered, failures };
}

async function main(which) {
  const { createApi } = require(which === 'after' ? './after.cjs' : './before.cjs');
  const { startSandboxServer } = require('axios-graphql-refresh/testing');
  const env = process.env;
  const sandbox = env.NEXTSCHOOL_URL ? undefined : await startSandboxServer({ rateLimits: false });
  const settings = sandbox
    ? { url: sandbox.url, username: sandbox.username, password: sandbox.password }
    : { url: env.NEXTSCHOOL_URL, username: env.NEXTSCHOOL_USERNAME, password: env.NEXTSCHOOL_PASSWORD };
  try {
    const { answered, failures } = await exercise(createApi(settings), sandbox);
    const failed = failures.length ? `, ${failures.length} failed (${[...new Set(failures)].join(', ')})` : '';
    console.log(
      `${which}: ${answered} of 40 answered${failed}${sandbox ? `; the server saw ${sandbox.stats.logins} login(s), ${sandbox.stats.refreshes} refresh(es)` : ''}`,
    );
  } finally {
    if (sandbox) await sandbox.close();
  }
}

if (require.main === module) {
  main(process.argv[2] === 'after' ? 'after' : 'before').catch((error) => {
    console.error(error.message);
    process.exitCode = 1;
  });
}

module.exports = { exercise, STUDENTS };
