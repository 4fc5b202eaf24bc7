// `npm run size`: prints what the library weighs in a browser bundle, against its budgets and beside
// its peers (issue 12), and exits 1 when a bundle is over budget. The lists and the measuring are in
// scripts/size.mjs (shared with the size table of docs/benchmarks.md, written by `npm run bench`).
import { kb, measureSizes, METHOD, QUOTED_FROM } from './size.mjs';

const sizes = await measureSizes();
const rows = sizes.map((s) => {
  if (!s.peer) return [s.name, kb(s.min), kb(s.gzip), `${kb(s.budget)} ${s.ok ? 'ok' : 'OVER'}`];
  if (s.installed) return [`${s.name} (peer)`, kb(s.min), kb(s.gzip), ''];
  return [`${s.name} (peer)`, '–', '–', `not installed (${QUOTED_FROM} quotes ${kb(s.quoted)} gzip)`];
});

const header = ['bundle', 'minified', 'gzip -9', 'budget (gzip)'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
console.log(METHOD);
console.log(line(header));
for (const row of rows) console.log(line(row));
const over = sizes.filter((s) => !s.peer && !s.ok).length;
if (over) {
  console.error(`${over} bundle(s) over budget`);
  process.exit(1);
}
