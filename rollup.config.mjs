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

// Peers stay external. The package has no runtime dependency of its own (the pacing queue and
// axios-retry's rules are restated in lib/, docs/architecture.md), so nothing else is bundled.
const external = (id) => /^(axios|graphql|ioredis)(\/|$)/.test(id) || id.startsWith('node:');

const banner = `/*! axios-graphql-refresh | MIT */`;

// The browser build of the main entry (package.json `exports["."].browser`, docs/browser.md
// "weight"): the same code with the Node-only diagnostics channels swapped for empty publishers,
// whose calls rollup then drops. Nothing else differs.
const browserDiagnostics = {
  name: 'browser-diagnostics',
  async resolveId(source, importer, options) {
    if (!importer || !/(^|\/)diagnostics$/.test(source) || importer.endsWith('diagnostics.browser.ts')) return null;
    const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
    return resolved?.id.endsWith('/lib/diagnostics.ts') ? resolved.id.replace(/diagnostics\.ts$/, 'diagnostics.browser.ts') : null;
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
    output: [
      { dir: 'dist', format: 'es', entryFileNames: '[name].mjs', chunkFileNames: 'chunks/[name]-[hash].mjs', banner },
      {
        dir: 'dist',
        format: 'cjs',
        entryFileNames: '[name].cjs',
        chunkFileNames: 'chunks/[name]-[hash].cjs',
        exports: 'named',
        interop: 'auto',
        banner,
      },
    ],
  },
  {
    input: { index: 'lib/index.ts', 'nextschool/index': 'lib/nextschool/index.ts', 'browser/index': 'lib/browser/index.ts' },
    external,
    plugins: [
      browserDiagnostics,
      nodeResolve({ browser: true }),
      typescript({ tsconfig: './tsconfig.build.json', include: ['lib/**/*.ts'] }),
    ],
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
