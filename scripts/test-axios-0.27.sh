#!/usr/bin/env bash
# Runs the integration and unit suites against axios 0.27.2 (the oldest peer we support),
# installed beside the project so node_modules keeps axios 1.x.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=.tmp/axios-0.27
if [ ! -f "$dir/node_modules/axios/package.json" ]; then
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund axios@0.27.2 >/dev/null
fi
version=$(node -p "require('./$dir/node_modules/axios/package.json').version")
echo "== jest against axios $version"
EXPECT_AXIOS_VERSION="$version" AXIOS_MODULE="$PWD/$dir/node_modules/axios" npx jest "$@"
