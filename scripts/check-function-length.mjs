// Fails when a function in lib/ (nested ones included, each counted whole) is longer than 120
// lines: the next engineer should see every function whole (docs/architecture.md).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const LIMIT = 120;
const files = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });

const offenders = [];
for (const file of files('lib')) {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const visit = (node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      if (end - start + 1 > LIMIT) {
        const name = node.name?.getText() ?? (ts.isVariableDeclaration(node.parent) ? node.parent.name.getText() : '(anonymous)');
        offenders.push(`${file}:${start + 1} ${name}: ${end - start + 1} lines`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}
if (offenders.length) {
  console.error(`Functions longer than ${LIMIT} lines in lib/:\n  ${offenders.join('\n  ')}`);
  process.exit(1);
}
console.log(`check-function-length: every function in lib/ is at most ${LIMIT} lines`);
