import { readFileSync } from 'node:fs';
import path from 'node:path';

// docs/browser.md quotes the app the Chromium tests run; this keeps the quote and the file identical
// (with the package's import paths in the docs). Part of the default jest run: no browser needed.
const root = path.join(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

describe('docs/browser.md', () => {
  it('quotes spec/browser/app/session.ts exactly, from its first import to its end', () => {
    const docs = read('docs/browser.md');
    const marker = '<!-- quoted from spec/browser/app/session.ts -->\n```ts\n';
    const start = docs.indexOf(marker);
    expect(start).toBeGreaterThan(-1);
    const quoted = docs.slice(start + marker.length, docs.indexOf('```\n', start + marker.length));
    const source = read('spec/browser/app/session.ts');
    const expected = source
      .slice(source.indexOf('import axios'))
      .replace("'../../../lib/index'", "'axios-graphql-refresh'")
      .replace("'../../../lib/nextschool'", "'axios-graphql-refresh/nextschool'")
      .replace("'../../../lib/browser/index'", "'axios-graphql-refresh/browser'");
    expect(quoted).toBe(expected);
  });
});
