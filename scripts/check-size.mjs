// `npm run size`: prints what the library weighs in a browser bundle — its own code and the total with
// its runtime dependencies — against its budgets and beside its peers, and exits 1 when a bundle's own
// code is over budget. `npm run size -- --ceilings` (CI)
// exits 1 only when a bundle grew past its ceiling (scripts/size.mjs), and reports budgets missed.
// `npm run size -- --breakdown` prints what each behaviour beyond the core weighs. The lists and the measuring are in
// scripts/size.mjs (shared with the size table of docs/benchmarks.md, written by `npm run bench`).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { breakdown, kb, METHOD, measureSizes, QUOTED_FROM } from './size.mjs';

// Ours is measured from dist/ (what a front-end build resolves): build it first when it is stale.
const built = spawnSync(process.execPath, [fileURLToPath(new URL('build-if-stale.mjs', import.meta.url))], { stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);

if (process.argv.includes('--breakdown')) {
  // What each behaviour beyond the core weighs in `attachTokenRefresh` alone (docs/browser.md, "Weight").
  const { whole, rows, withoutAll, budget } = await breakdown();
  console.log(`attachTokenRefresh alone, own code: ${kb(whole)} gzip (${METHOD}); budget ${kb(budget)}`);
  for (const r of rows) console.log(`  without ${r.name}: saves ${kb(r.saves)}`);
  console.log(`  without all of them: ${kb(withoutAll)} (${withoutAll <= budget ? 'within' : 'still over'} the budget)`);
  process.exit(0);
}

const sizes = await measureSizes();
const rows = sizes.map((s) => {
  if (!s.peer)
    return [s.name, kb(s.min), kb(s.gzip), `${kb(s.totalMin)} / ${kb(s.totalGzip)}`, `${kb(s.budget)} ${s.ok ? 'ok' : 'OVER'}`, s.from];
  if (s.installed) return [`${s.name} (peer)`, kb(s.min), kb(s.gzip), '', '', s.from];
  return [`${s.name} (peer)`, '–', '–', '', `not installed (${QUOTED_FROM} quotes ${kb(s.quoted)} gzip)`, ''];
});

// Own: the library's code (axios, p-queue, axios-retry external), what budgets and ceilings count.
// Total: with p-queue and axios-retry bundled too (only axios external).
const header = ['bundle', 'own minified', 'own gzip -9', 'total min / gzip', 'budget (own gzip)', 'resolved to'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) =>
  cells
    .map((c, i) => c.padEnd(widths[i]))
    .join('  ')
    .trimEnd();
console.log(`${METHOD}; 1 KB = 1,000 bytes`);
console.log(line(header));
for (const row of rows) console.log(line(row));
const over = sizes.filter((s) => !s.peer && !s.ok);
if (process.argv.includes('--ceilings')) {
  for (const s of sizes.filter((x) => !x.peer))
    console.log(`${s.name}: own ${kb(s.gzip)} against a ceiling of ${kb(s.ceiling)}: ${s.underCeiling ? 'ok' : 'OVER'}`);
  if (over.length) console.log(`budgets not met (reported, not enforced here): ${over.map((s) => s.name).join(', ')}`);
  const grown = sizes.filter((s) => !s.peer && !s.underCeiling);
  if (grown.length) {
    console.error(`${grown.length} bundle(s) grew past their ceiling`);
    process.exit(1);
  }
} else if (over.length) {
  console.error(`${over.length} bundle(s) over budget`);
  process.exit(1);
}
