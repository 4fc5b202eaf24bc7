import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import commonjs from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

// One entry per `exports` subpath. Later subpaths (`testing`, `redis`) are added here and in package.json.
const entries = {
  index: 'lib/index.ts',
  nextschool: 'lib/nextschool/index.ts',
  testing: 'lib/testing/index.ts',
  redis: 'lib/redis/index.ts',
  'sandbox-cli': 'lib/testing/sandbox-cli.ts',
  browser: 'lib/browser/index.ts',
};

// Peers and dependencies stay external in the ES module builds: an application shares one copy of
// axios, axios-retry and p-queue. The CommonJS build bundles p-queue (with p-timeout and
// eventemitter3): its releases are ES modules only, which `require()` cannot load before Node 20.19
// (docs/getting-started.md). axios-retry ships CommonJS and stays external there too.
const peers = /^(axios|graphql|ioredis)(\/|$)/;
const external = (id) => peers.test(id) || /^(axios-retry|p-queue)(\/|$)/.test(id) || id.startsWith('node:');
const externalForRequire = (id) => peers.test(id) || /^axios-retry(\/|$)/.test(id) || id.startsWith('node:');

// What the CommonJS build bundles keeps its MIT notice: each package's licence, once, at the top of
// the file that holds its code.
const BUNDLED = ['p-queue', 'p-timeout', 'eventemitter3'];
const notices = {
  name: 'licence-notices',
  renderChunk(code, chunk) {
    const found = BUNDLED.filter((name) => chunk.moduleIds.some((id) => id.includes(`/node_modules/${name}/`)));
    if (!found.length) return null;
    const texts = found.map((name) => {
      const dir = path.join('node_modules', name);
      const file = readdirSync(dir).find((f) => /^licen[cs]e/i.test(f));
      return `${name}:\n${readFileSync(path.join(dir, file), 'utf8').trim()}`;
    });
    return {
      code: `/*!\n * Bundled from npm packages, under their licences:\n *\n${texts.join('\n\n').replace(/^/gm, ' * ')}\n */\n${code}`,
      map: null,
    };
  },
};

const banner = `/*! axios-graphql-refresh | MIT */`;

// The browser build of the main entry (package.json `exports["."].browser`, docs/browser.md
// "weight"): the same code with two Node-only modules swapped for their `.browser.ts` siblings — the
// diagnostics channels (empty publishers, whose calls rollup then drops) and the holding of an
// http.Agent's sockets (browsers have no agents). Nothing else differs.
const BROWSER_SWAPS = ['/lib/diagnostics', '/lib/transport/held-reads'];
const browserSwaps = {
  name: 'browser-swaps',
  async resolveId(source, importer, options) {
    const named = BROWSER_SWAPS.some((path) => source.endsWith(path.slice(path.lastIndexOf('/'))));
    if (!importer || !named || importer.endsWith('.browser.ts')) return null;
    const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
    return resolved && BROWSER_SWAPS.some((path) => resolved.id.endsWith(`${path}.ts`))
      ? resolved.id.replace(/\.ts$/, '.browser.ts')
      : null;
  },
};

export default [
  {
    input: entries,
    external,
    plugins: [
      nodeResolve({ preferBuiltins: true }),
      commonjs(),
      typescript({ tsconfig: './tsconfig.build.json', include: ['lib/**/*.ts'] }),
    ],
    output: { dir: 'dist', format: 'es', entryFileNames: '[name].mjs', chunkFileNames: 'chunks/[name]-[hash].mjs', banner },
  },
  {
    input: entries,
    external: externalForRequire,
    plugins: [
      nodeResolve({ preferBuiltins: true }),
      commonjs(),
      typescript({ tsconfig: './tsconfig.build.json', include: ['lib/**/*.ts'] }),
    ],
    output: {
      dir: 'dist',
      format: 'cjs',
      entryFileNames: '[name].cjs',
      chunkFileNames: 'chunks/[name]-[hash].cjs',
      exports: 'named',
      interop: 'auto',
      banner,
      plugins: [notices],
    },
  },
  {
    input: { index: 'lib/index.ts', 'nextschool/index': 'lib/nextschool/index.ts', 'browser/index': 'lib/browser/index.ts' },
    external,
    plugins: [browserSwaps, nodeResolve({ browser: true }), typescript({ tsconfig: './tsconfig.build.json', include: ['lib/**/*.ts'] })],
    // One file per module, so a bundler drops whole modules the app does not reach (`sideEffects: false`).
    output: {
      dir: 'dist/browser-esm',
      format: 'es',
      preserveModules: true,
      preserveModulesRoot: 'lib',
      entryFileNames: '[name].mjs',
      banner,
    },
  },
  {
    input: entries,
    external,
    plugins: [dts({ tsconfig: './tsconfig.build.json' })],
    output: [
      { dir: 'dist', format: 'es', entryFileNames: '[name].d.ts', chunkFileNames: 'chunks/[name]-[hash].d.ts' },
      { dir: 'dist', format: 'es', entryFileNames: '[name].d.cts', chunkFileNames: 'chunks/[name]-[hash].d.cts' },
    ],
  },
];
