// URL shapes that parsers read differently (leading spaces and control characters, tabs and
// newlines inside the scheme or the authority, backslashes, userinfo), aimed at a port on 127.0.0.1:
// the origin policy must judge each as the transport resolves it (spec/integration/origin-shapes.spec.ts,
// spec/unit/origin.spec.ts).

/** Numeric spellings of 127.0.0.1: the only host names the shapes use (nothing to look up on a network). */
export const LOOPBACK = ['127.0.0.1', '2130706433', '0x7f.0.0.1', '127.1', '0177.0.0.1'];

/** A small deterministic generator (mulberry32): the same shapes on every run. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
}

/** URL shapes aimed at `port` (and, through userinfo or a backslash, at `decoy`), built from the pieces parsers disagree on. */
export function shapes(port: number, decoy: number, count: number, seed: number): string[] {
  const pick = random(seed);
  const lead = ['', '', ' ', '\n', '\t', '\r\n', '\x00', '\x1f', '\x0b', '\u00a0', '\ufeff', '\u2028', '\u3000', ' \n\t '];
  const scheme = ['http', 'http', 'HTTP', 'hTtP', 'ht\ttp', 'h\nttp', 'http\r', 'ht tp', ''];
  const colon = [':', ':', ':', '', '\t:'];
  const slashes = ['//', '//', '/', '', '\\\\', '/\\', '\\/', '///', '\t//', '/\t/', '/\n/', ' //'];
  const userinfo = [
    '',
    '',
    '',
    `127.0.0.1:${decoy}@`,
    `127.0.0.1:${decoy}\t@`,
    `127.0.0.1:${decoy}\\@`,
    'user:pass@',
    '@',
    `127.0.0.1:${decoy} @`,
  ];
  const portPart = [`:${port}`, `:${port}`, `:${port}\t`, `\t:${port}`, `:0${port}`];
  const rest = ['/x', '/x', '?x=1', '#x', '', '\\x', '\t/x', ' /x', '/x\n'];
  const out = new Set<string>();
  while (out.size < count)
    out.add(pick(lead) + pick(scheme) + pick(colon) + pick(slashes) + pick(userinfo) + pick(LOOPBACK) + pick(portPart) + pick(rest));
  return [...out];
}

/** The shapes reported against the packed package, and their near relatives. */
export function reported(port: number): string[] {
  const o = `127.0.0.1:${port}`;
  return [
    ` http://${o}/x`,
    `\nhttp://${o}/x`,
    `ht\ttp://${o}/x`,
    `\u00a0http://${o}/x`,
    `\ufeffhttp://${o}/x`,
    `http:\\\\${o}/x`,
    `http:/\\${o}/x`,
    `\x00http://${o}/x`,
    `h\nttp://${o}/x`,
  ];
}

/** Plain spellings of 127.0.0.1:`port` that every parser reads alike: these keep their token. */
export function plain(port: number): string[] {
  return LOOPBACK.flatMap((host) =>
    ['http', 'HTTP'].flatMap((scheme) => ['/x', '?x=1', '#x', ''].map((rest) => `${scheme}://${host}:${port}${rest}`)),
  );
}
