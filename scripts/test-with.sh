#!/usr/bin/env bash
# Runs jest against another version of a dependency, installed beside the project so node_modules
# keeps the default one. jest.config.ts maps the package to it through <MAPPING_ENV>.
#   scripts/test-with.sh axios 0.22.0 AXIOS_MODULE            # the oldest axios line we support (CI: 0.27.2 too)
#   scripts/test-with.sh ioredis 6 IOREDIS_MODULE spec/redis/redis-token-store.spec.ts
set -euo pipefail
cd "$(dirname "$0")/.."
package=$1 version=$2 mapping=$3
shift 3
dir=".tmp/$package-$version"
if [ ! -f "$dir/node_modules/$package/package.json" ]; then
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund "$package@$version" >/dev/null
fi
installed=$(node -p "require('./$dir/node_modules/$package/package.json').version")
echo "== jest against $package $installed"
# EXPECT_<PACKAGE>_VERSION lets a test check the run really uses that version.
export "EXPECT_$(echo "$package" | tr 'a-z-' 'A-Z_')_VERSION=$installed"
export "$mapping=$PWD/$dir/node_modules/$package"
npx jest "$@"
