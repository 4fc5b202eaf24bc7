// Checks that lib/ is layered: every relative import goes from a folder to one below it (or within
// the folder), never back up (docs/architecture.md, "layers"). A module at the top of lib/ is a node
// of its own (`types.ts`, `diagnostics.ts`, the entry and the composition root).
// Run: node scripts/check-layers.mjs            (exits 1 and names each import that climbs)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const lib = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'lib');

/** Bottom to top. A node may import only nodes earlier in this list (and itself). */
export const LAYERS = [
  'documents', // gql, printing documents, the GraphQL lexer: pure
  'errors', // one class per file
  'types.ts', // the public types
  'util', // small helpers
  'policy', // pure rules: detection, replay safety, origins, failure kinds
  'config', // options: validation and defaults
  'diagnostics.ts', // diagnostics channel publishers
  'diagnostics.browser.ts',
  'transport', // the plugin's own requests, the default refresh mutation
  'stores', // the token set (normalising, expiry), the in-memory store, what shared stores share
  'session', // the token lifecycle
  'plugin', // the axios-facing part
  'client', // the GraphQL client
  'attach-token-refresh.ts', // the composition root
  'index.ts', // the main entry
  'nextschool', // the preset (its own subpath)
  'redis', // the subpath stores
  'browser',
  'testing', // the sandbox server (its own subpath)
];

function nodeOf(file) {
  const rel = path.relative(lib, file);
  const [first] = rel.split(path.sep);
  return rel.includes(path.sep) ? first : first;
}

function* walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (entry.name.endsWith('.ts')) yield full;
  }
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.{1,2}\/[^']+)'/g;
const problems = [];
const unknown = new Set();
for (const file of walk(lib)) {
  const from = nodeOf(file);
  const text = fs.readFileSync(file, 'utf8');
  for (const [, spec] of text.matchAll(IMPORT)) {
    const to = nodeOf(path.resolve(path.dirname(file), spec + (spec.endsWith('.ts') ? '' : '.ts')));
    if (to === from) continue;
    const a = LAYERS.indexOf(from);
    const b = LAYERS.indexOf(to);
    if (a === -1) unknown.add(from);
    if (b === -1) unknown.add(to);
    if (a !== -1 && b !== -1 && b > a)
      problems.push(`${path.relative(lib, file)} imports ${spec}: ${from} may not import ${to}, which sits above it`);
  }
}
for (const u of unknown) problems.push(`lib/${u} is in no layer: add it to LAYERS in scripts/check-layers.mjs`);
if (problems.length) {
  console.error(`check-layers: ${problems.length} import(s) climb a layer (docs/architecture.md, "layers"):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`check-layers: ${LAYERS.length} layers, every import goes down`);
