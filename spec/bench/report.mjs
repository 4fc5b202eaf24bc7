// Statistics, markdown tables and SVG charts (hand-written SVG: renders on GitHub, no dependency).

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
export const spread = (xs) => [Math.min(...xs), Math.max(...xs)];

const fmt = (x, digits = 0) => (Number.isInteger(x) && digits === 0 ? String(x) : x.toFixed(digits));
/** "median (min–max)", or just the value when every run agreed. */
export function ms(xs, digits = 0) {
  const [lo, hi] = spread(xs);
  const m = fmt(median(xs), digits);
  return lo === hi ? m : `${m} (${fmt(lo, digits)}–${fmt(hi, digits)})`;
}

export function table(headers, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

const COLORS = ['#1f77b4', '#2ca02c', '#d62728', '#ff7f0e', '#7f7f7f', '#9467bd'];
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** A line chart with log-scaled axes as asked. series: [{ name, points: [[x, y]] }]. */
export function lineChart({ title, xLabel, yLabel, series, logX = true, logY = true }) {
  const W = 640,
    H = 380,
    L = 70,
    R = 190,
    T = 40,
    B = 50;
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => Math.max(p[1], logY ? 0.5 : 0)));
  const tx = (v) => (logX ? Math.log10(v) : v);
  const ty = (v) => (logY ? Math.log10(Math.max(v, 0.5)) : v);
  const [x0, x1] = [tx(Math.min(...xs)), tx(Math.max(...xs))];
  const [y0, y1] = [logY ? Math.floor(ty(Math.min(...ys))) : 0, logY ? Math.ceil(ty(Math.max(...ys))) : Math.max(...ys) * 1.1];
  const px = (v) => L + ((tx(v) - x0) / (x1 - x0 || 1)) * (W - L - R);
  const py = (v) => T + (1 - (ty(v) - y0) / (y1 - y0 || 1)) * (H - T - B);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
  ];
  out.push(
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2 - R / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`,
  );
  const yTicks = logY ? Array.from({ length: y1 - y0 + 1 }, (_, i) => 10 ** (y0 + i)) : Array.from({ length: 6 }, (_, i) => (y1 * i) / 5);
  for (const v of yTicks) {
    out.push(
      `<line x1="${L}" x2="${W - R}" y1="${py(v)}" y2="${py(v)}" stroke="#e5e5e5"/>`,
      `<text x="${L - 6}" y="${py(v) + 4}" text-anchor="end">${v >= 1000 ? `${v / 1000}k` : Math.round(v * 100) / 100}</text>`,
    );
  }
  for (const v of [...new Set(xs)]) out.push(`<text x="${px(v)}" y="${H - B + 18}" text-anchor="middle">${v}</text>`);
  out.push(
    `<line x1="${L}" x2="${L}" y1="${T}" y2="${H - B}" stroke="#333"/>`,
    `<line x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}" stroke="#333"/>`,
  );
  out.push(
    `<text x="${(L + W - R) / 2}" y="${H - 10}" text-anchor="middle">${esc(xLabel)}</text>`,
    `<text transform="translate(16 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`,
  );
  series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length];
    out.push(`<polyline fill="none" stroke="${c}" stroke-width="2" points="${s.points.map(([x, y]) => `${px(x)},${py(y)}`).join(' ')}"/>`);
    for (const [x, y] of s.points) out.push(`<circle cx="${px(x)}" cy="${py(y)}" r="3.5" fill="${c}"/>`);
    out.push(
      `<rect x="${W - R + 12}" y="${T + i * 22}" width="12" height="12" fill="${c}"/>`,
      `<text x="${W - R + 30}" y="${T + i * 22 + 10}">${esc(s.name)}</text>`,
    );
  });
  out.push('</svg>');
  return out.join('\n');
}

/** A horizontal bar chart. bars: [{ name, value, label, color }] (`color`: an index into the palette; default the bar's). */
export function barChart({ title, unit, bars, labelWidth = 210 }) {
  const W = 640 + (labelWidth - 210),
    rowH = 34,
    L = labelWidth,
    R = 90,
    T = 44;
  const H = T + bars.length * rowH + 20;
  const max = Math.max(...bars.map((b) => b.value)) * 1.05;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
  ];
  out.push(
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`,
  );
  bars.forEach((b, i) => {
    const y = T + i * rowH;
    const w = ((W - L - R) * b.value) / max;
    out.push(
      `<text x="${L - 8}" y="${y + 17}" text-anchor="end">${esc(b.name)}</text>`,
      `<rect x="${L}" y="${y + 4}" width="${w}" height="20" fill="${COLORS[(b.color ?? i) % COLORS.length]}"/>`,
      `<text x="${L + w + 6}" y="${y + 18}">${esc(b.label ?? `${b.value.toFixed(1)} ${unit}`)}</text>`,
    );
  });
  out.push('</svg>');
  return out.join('\n');
}

/**
 * "faster"/"slower"/"as fast" from two figures where lower is better, so a sentence comparing them
 * can never say the opposite of its numbers. Equal within `tolerance` (a fraction) reads "as fast as".
 */
export function speedWord(ours, theirs, tolerance = 0) {
  if (Math.abs(ours - theirs) <= tolerance * theirs) return 'as fast as';
  return ours < theirs ? 'faster than' : 'slower than';
}

/** "at N = 10 and 100" / "at every N" / "at no N", for the Ns where `pick(n)` holds. */
export function whereN(ns, pick) {
  const hits = ns.filter(pick);
  if (hits.length === ns.length) return 'at every N measured';
  if (hits.length === 0) return 'at no N measured';
  const list = hits.map((n) => n.toLocaleString('en'));
  return `at N = ${list.length === 1 ? list[0] : `${list.slice(0, -1).join(', ')} and ${list.at(-1)}`}`;
}

/** The commit the figures were measured on, and whether the working tree differed from it. */
export function measuredCommit(execSync, root) {
  const git = (args) => execSync(`git ${args}`, { cwd: root, encoding: 'utf8' }).trim();
  try {
    const sha = git('rev-parse HEAD');
    const changed = git('status --porcelain --untracked-files=no')
      .split('\n')
      .filter(Boolean)
      .map((l) => l.slice(3));
    const lib = changed.filter((f) => f.startsWith('lib/'));
    const dirty =
      changed.length === 0
        ? 'a clean tree'
        : `uncommitted changes in ${changed.length} file${changed.length === 1 ? '' : 's'}${lib.length ? ` (${lib.length} under lib/: the figures do not match the commit)` : ' (none under lib/)'}`;
    return { sha, dirty: changed.length > 0, libDirty: lib.length > 0, text: `commit \`${sha}\`, ${dirty}` };
  } catch {
    return { sha: undefined, dirty: true, libDirty: true, text: 'an unknown commit (git unavailable)' };
  }
}

/**
 * 95% interval of the median of `xs`, by bootstrap: 2,000 resamples drawn with a fixed seed, so the
 * same figures always give the same interval (the page stays computed from its figures).
 */
export function medianInterval(xs, resamples = 2_000) {
  let seed = 0x2545f491;
  const random = () => {
    // mulberry32
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const medians = Array.from({ length: resamples }, () => median(Array.from(xs, () => xs[Math.floor(random() * xs.length)]))).sort(
    (a, b) => a - b,
  );
  return [medians[Math.floor(0.025 * (resamples - 1))], medians[Math.ceil(0.975 * (resamples - 1))]];
}
