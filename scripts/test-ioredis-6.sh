#!/usr/bin/env bash
# Runs the in-process Redis store tests against ioredis 6 (the store supports 5.x and 6.x),
# installed beside the project so node_modules keeps ioredis 5.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=.tmp/ioredis-6
if [ ! -f "$dir/node_modules/ioredis/package.json" ]; then
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund ioredis@6 >/dev/null
fi
version=$(node -p "require('./$dir/node_modules/ioredis/package.json').version")
echo "== Redis store tests against ioredis $version"
IOREDIS_MODULE="$PWD/$dir/node_modules/ioredis" npx jest spec/redis/redis-token-store.spec.ts "$@"
