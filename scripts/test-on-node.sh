#!/usr/bin/env bash
# Runs jest on another Node.js major: the registry's `node` package (an npm package holding the
# official binary), run through `npm exec`, which keeps it in npm's cache: a later run, or CI with
# that cache restored, needs no network (--prefer-offline). Everything the suite starts with
# `process.execPath` or `node` (jest's workers, child processes) runs on that Node too, and
# spec/unit/node-version.spec.ts fails unless it does.
#   scripts/test-on-node.sh 24                         # the whole suite on Node 24
#   scripts/test-on-node.sh 22 spec/unit               # some of it on Node 22
set -euo pipefail
cd "$(dirname "$0")/.."
major=$1
shift
on_node() { npm exec --yes --prefer-offline --package "node@$major" -- "$@"; }
echo "== jest on Node $(on_node node -p process.version)"
export EXPECT_NODE_MAJOR=$major
on_node node node_modules/jest/bin/jest.js "$@"
