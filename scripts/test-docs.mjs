// `npm run test:docs`: every code block of README.md and docs/ runs as written, or says it is a
// fragment. JavaScript blocks run with Node (ES module, or CommonJS when they use require), each
// with a fresh local sandbox whose URL and credentials are in NEXTSCHOOL_URL, NEXTSCHOOL_USERNAME and
// NEXTSCHOOL_PASSWORD; TypeScript blocks are type-checked under NodeNext, Bundler and node10
// resolution. A block whose first line starts with `// fragment` is skipped (it says why).
// Needs dist/ (npm ci builds it). Usage: node scripts/test-docs.mjs [file.md …]
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { startSandboxServer } from '../dist/testing.mjs';

const root = new URL('..', import.meta.url).pathname;
const work = join(root, '.tmp', 'docs');
const RUN = new Set(['js', 'javascript', 'mjs', 'cjs']);
const CHECK = new Set(['ts', 'typescript']);

function markdownFiles() {
  const args = process.argv.slice(2);
  if (args.length) return args.map((f) => join(process.cwd(), f));
  const docs = readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => join(root, 'docs', f));
  const examples = readdirSync(join(root, 'docs', 'examples'), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join(root, 'docs', 'examples', d.name, 'README.md'))
    .filter((f) => {
      try {
        return readFileSync(f) && true;
      } catch {
        return false;
      }
    });
  return [join(root, 'README.md'), ...docs, ...examples];
}

function blocksOf(file) {
  const text = readFileSync(file, 'utf8');
  const blocks = [];
  const fence = /^```([\w-]*)[^\n]*\n([\s\S]*?)^```\s*$/gm;
  for (let m; (m = fence.exec(text)); ) {
    const line = text.slice(0, m.index).split('\n').length;
    blocks.push({ file: relative(root, file), line, lang: m[1].toLowerCase(), code: m[2] });
  }
  return blocks;
}

const isFragment = (code) => /^\s*\/\/\s*fragment\b/.test(code);
const isCommonJs = (block) =>
  block.lang === 'cjs' || (/\brequire\(|\bmodule\.exports\b/.test(block.code) && !/^\s*import\s/m.test(block.code));

function run(file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], { cwd: work, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ ok: code === 0, output: signal ? `${output}\n(killed: ${signal}, did it leave a server open?)` : output });
    });
  });
}

rmSync(work, { recursive: true, force: true });
mkdirSync(join(work, 'node_modules'), { recursive: true });
// Resolve the package by name, as users do, in every resolution mode (node10 has no self-reference).
symlinkSync(root, join(work, 'node_modules', 'axios-graphql-refresh'), 'dir');
writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'docs-blocks', private: true, type: 'module' }));

const blocks = markdownFiles().flatMap(blocksOf);
const failures = [];
let ran = 0;
let fragments = 0;
const tsFiles = [];

for (const [i, block] of blocks.entries()) {
  const where = `${block.file}:${block.line}`;
  if (!RUN.has(block.lang) && !CHECK.has(block.lang)) continue;
  if (isFragment(block.code)) {
    fragments++;
    continue;
  }
  if (CHECK.has(block.lang)) {
    const name = `block${i}.ts`;
    writeFileSync(join(work, name), `// ${where}\n${block.code}\nexport {};\n`);
    tsFiles.push({ name, where });
    continue;
  }
  const name = `block${i}.${isCommonJs(block) ? 'cjs' : 'mjs'}`;
  writeFileSync(join(work, name), block.code);
  const sandbox = await startSandboxServer({ rateLimits: false });
  Object.assign(process.env, { NEXTSCHOOL_URL: sandbox.url, NEXTSCHOOL_USERNAME: sandbox.username, NEXTSCHOOL_PASSWORD: sandbox.password });
  const result = await run(join(work, name));
  await sandbox.close();
  ran++;
  if (result.ok) console.log(`  ok    ${where} (${name})`);
  else {
    console.log(`  FAIL  ${where} (${name})\n${result.output.replace(/^/gm, '        ')}`);
    failures.push(where);
  }
}

const tsc = join(root, 'node_modules', '.bin', 'tsc');
const modes = {
  NodeNext: { module: 'NodeNext', moduleResolution: 'NodeNext' },
  Bundler: { module: 'ESNext', moduleResolution: 'Bundler' },
  node10: { module: 'ESNext', moduleResolution: 'node10' },
};
if (tsFiles.length) {
  for (const [mode, options] of Object.entries(modes)) {
    const config = {
      compilerOptions: {
        strict: true,
        exactOptionalPropertyTypes: true,
        noEmit: true,
        target: 'ES2022',
        skipLibCheck: true,
        types: ['node'],
        typeRoots: [join(root, 'node_modules', '@types')],
        ...options,
      },
      files: tsFiles.map((f) => f.name),
    };
    writeFileSync(join(work, `tsconfig.${mode}.json`), JSON.stringify(config, null, 2));
    try {
      execFileSync(tsc, ['-p', `tsconfig.${mode}.json`], { cwd: work, encoding: 'utf8', stdio: 'pipe' });
      console.log(`  ok    ${tsFiles.length} TypeScript blocks type-check (${mode})`);
    } catch (error) {
      const out = `${error.stdout ?? ''}${error.stderr ?? ''}`;
      const named = out.replace(/block(\d+)\.ts/g, (name) => `${name} [${tsFiles.find((f) => f.name === name)?.where}]`);
      console.log(`  FAIL  TypeScript blocks (${mode})\n${named.replace(/^/gm, '        ')}`);
      failures.push(`TypeScript (${mode})`);
    }
  }
}

console.log(
  `\n${ran} blocks ran, ${tsFiles.length} type-checked under ${Object.keys(modes).join(', ')}, ${fragments} fragments skipped; ${failures.length} failed`,
);
// Kept on failure for a look at the generated files (it holds a symlink back to the repository).
if (!failures.length) rmSync(work, { recursive: true, force: true });
process.exit(failures.length ? 1 : 0);
