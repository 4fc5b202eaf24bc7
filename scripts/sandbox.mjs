// `npm run sandbox`: builds, then runs the package's own command `nextschool-sandbox`
// (dist/sandbox-cli.mjs, source lib/testing/sandbox-cli.ts) with the same flags; `--help` lists them.
await import('../dist/sandbox-cli.mjs');
