import commonjs from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

// One entry per `exports` subpath. Later subpaths (`testing`, `redis`) are added here and in package.json.
const entries = { index: 'lib/index.ts', testing: 'lib/testing/index.ts', redis: 'lib/redis/index.ts', 'sandbox-cli': 'lib/testing/sandbox-cli.ts', browser: 'lib/browser/index.ts' };

// Peers and dependencies stay external; p-queue (ESM-only) and its helpers are bundled so that
// `require()` works on Node 18 and on Node 20 before 20.19.
const external = (id) => /^(axios|axios-retry|graphql|ioredis)(\/|$)/.test(id) || id.startsWith('node:');

const banner = `/*! axios-graphql-refresh | MIT. Bundles p-queue, p-timeout, eventemitter3 (MIT, © Sindre Sorhus; © Arnout Kazemier). */`;

export default [
  {
    input: entries,
    external,
    plugins: [nodeResolve({ preferBuiltins: true }), commonjs(), typescript({ tsconfig: './tsconfig.build.json', include: ['lib/**/*.ts'] })],
    output: [
      { dir: 'dist', format: 'es', entryFileNames: '[name].mjs', chunkFileNames: 'chunks/[name]-[hash].mjs', banner },
      { dir: 'dist', format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: 'chunks/[name]-[hash].cjs', exports: 'named', interop: 'auto', banner },
    ],
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
