// Fails when a public export (of any entry point) has no TSDoc block with an @example.
import ts from 'typescript';

const entries = ['lib/index.ts', 'lib/testing/index.ts', 'lib/redis/index.ts', 'lib/browser/index.ts'];
const program = ts.createProgram(entries, {
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  target: ts.ScriptTarget.ES2022,
});
const checker = program.getTypeChecker();
const missing = [];
for (const entry of entries) {
  const sf = program.getSourceFile(entry);
  for (const sym of checker.getExportsOfModule(checker.getSymbolAtLocation(sf))) {
    const target = sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
    const decl = target.declarations?.[0];
    const text = decl ? decl.getSourceFile().getFullText() : '';
    const ranges = decl ? (ts.getLeadingCommentRanges(text, (ts.isVariableDeclaration(decl) ? decl.parent.parent : decl).pos) ?? []) : [];
    const doc = ranges.map((r) => text.slice(r.pos, r.end)).join('\n');
    if (!doc.includes('@example')) missing.push(`${entry}: ${sym.name}`);
  }
}
if (missing.length) {
  console.error(`Public exports without a TSDoc @example:\n  ${missing.join('\n  ')}`);
  process.exit(1);
}
