#!/usr/bin/env bash
# Installs the package the way users can before it is published: from the git repository
# (`npm install git+file://…`), which runs the `prepare` build in npm's own clone. Then require()s and
# imports the main entry and the /testing and /redis subpaths from a throwaway project.
# Uses the committed HEAD (a clone of this checkout), not uncommitted changes.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d "${TMPDIR:-/tmp}/agr-git-install.XXXXXX")
trap 'rm -rf "$work"' EXIT

head=$(git rev-parse HEAD)
git clone --quiet --no-checkout "$root" "$work/repo"
git -C "$work/repo" checkout --quiet --detach "$head"
echo "== npm install git+file://…#${head:0:12} (npm clones it, installs its devDependencies, runs prepare)"

mkdir "$work/consumer" && cd "$work/consumer"
echo '{ "name": "consumer", "private": true, "version": "0.0.0" }' > package.json
started=$(date +%s)
npm install --no-audit --no-fund --prefer-offline --loglevel=error "git+file://$work/repo#$head" axios@1 graphql@16 ioredis@5 >/dev/null
echo "   installed in $(( $(date +%s) - started )) s"

test -f node_modules/axios-graphql-refresh/dist/index.cjs || { echo "no dist/ in the installed package" >&2; exit 1; }
node -e '
  const assert = require("node:assert");
  const lib = require("axios-graphql-refresh");
  assert.strictEqual(typeof lib.attachTokenRefresh, "function");
  assert.strictEqual(typeof require("axios-graphql-refresh/nextschool").createNextSchoolClient, "function");
  assert.strictEqual(typeof require("axios-graphql-refresh/testing").startSandboxServer, "function");
  assert.strictEqual(typeof require("axios-graphql-refresh/redis").RedisTokenStore, "function");
  console.log("   require(): main entry, /nextschool, /testing, /redis ok");
'
cat > check.mjs <<'JS'
import assert from 'node:assert';
import { createNextSchoolClient } from 'axios-graphql-refresh/nextschool';
import { startSandboxServer } from 'axios-graphql-refresh/testing';
import { RedisTokenStore } from 'axios-graphql-refresh/redis';
assert.strictEqual(typeof RedisTokenStore, 'function');
const sandbox = await startSandboxServer({ rateLimits: false });
try {
  const ns = createNextSchoolClient({ url: sandbox.url, username: sandbox.username, password: sandbox.password });
  assert.strictEqual((await ns.students({ limit: 2 })).length, 2);
} finally {
  await sandbox.close();
}
console.log('   import: main entry, /testing, /redis ok; a query against the sandbox answered');
JS
node check.mjs
echo "== git install check passed"
