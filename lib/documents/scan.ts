// A small GraphQL lexer, just enough to tell an operation's type and its root fields without
// loading `graphql` (the main entry must not). Used to decide whether a mutation may be replayed.

export type OperationType = 'query' | 'mutation' | 'subscription';

export interface OperationInfo {
  type: OperationType;
  name?: string;
  /** Response keys (alias or name) of the root selection; `null` when a fragment spreads at the root. */
  rootFields: string[] | null;
}

const PUNCTUATION = new Set(['{', '}', '(', ')', '[', ']', ':', '=', '@', '$', '!', '|', '&']);
const NAME_START = /[_A-Za-z]/;
const NAME_CHAR = /[_0-9A-Za-z]/;

/** Tokens of a document: names, punctuation, `...`, and `"str"` placeholders for values. */
export function tokenize(source: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  const n = source.length;
  while (i < n) {
    const ch = source[i]!;
    if (ch === '#') {
      while (i < n && source[i] !== '\n' && source[i] !== '\r') i++;
    } else if (ch === '"') {
      if (source.startsWith('"""', i)) {
        const end = findBlockStringEnd(source, i + 3);
        i = end + 3;
      } else {
        i++;
        while (i < n && source[i] !== '"' && source[i] !== '\n') i += source[i] === '\\' ? 2 : 1;
        i++;
      }
      tokens.push('"str"');
    } else if (source.startsWith('...', i)) {
      tokens.push('...');
      i += 3;
    } else if (PUNCTUATION.has(ch)) {
      tokens.push(ch);
      i++;
    } else if (NAME_START.test(ch)) {
      const start = i;
      while (i < n && NAME_CHAR.test(source[i]!)) i++;
      tokens.push(source.slice(start, i));
    } else if (ch === '-' || (ch >= '0' && ch <= '9')) {
      const start = i;
      i++;
      while (i < n && /[0-9.eE+-]/.test(source[i]!)) i++;
      tokens.push(source.slice(start, i));
    } else {
      i++; // whitespace, commas, BOM
    }
  }
  return tokens;
}

function findBlockStringEnd(source: string, from: number): number {
  let i = from;
  for (;;) {
    const end = source.indexOf('"""', i);
    if (end === -1) return source.length;
    if (source[end - 1] === '\\') {
      i = end + 3;
      continue;
    }
    return end;
  }
}

/** Index just past the group opened at `open` (which must be `{`, `(` or `[`). */
function skipGroup(tokens: string[], open: number): number {
  const pairs: Record<string, string> = { '{': '}', '(': ')', '[': ']' };
  const stack: string[] = [];
  let i = open;
  do {
    const t = tokens[i]!;
    if (pairs[t]) stack.push(pairs[t]!);
    else if (t === stack[stack.length - 1]) stack.pop();
    i++;
  } while (stack.length > 0 && i < tokens.length);
  return i;
}

function skipDirectives(tokens: string[], i: number): number {
  while (tokens[i] === '@') {
    i += 2;
    if (tokens[i] === '(') i = skipGroup(tokens, i);
  }
  return i;
}

function rootFieldsOf(tokens: string[], open: number): string[] | null {
  const fields: string[] = [];
  let i = open + 1;
  while (i < tokens.length && tokens[i] !== '}') {
    if (tokens[i] === '...') return null;
    const key = tokens[i]!;
    i++;
    if (tokens[i] === ':') {
      i += 2; // alias: the response key is the alias
    }
    if (tokens[i] === '(') i = skipGroup(tokens, i);
    i = skipDirectives(tokens, i);
    if (tokens[i] === '{') i = skipGroup(tokens, i);
    if (!NAME_START.test(key[0] ?? '')) return null;
    fields.push(key);
  }
  return fields;
}

/** Documents read lately: a herd of one query (thousands of answers to look at) reads its text once. */
const read = new Map<string, OperationInfo[] | undefined>();

/** Every operation defined in a document, in order; `undefined` when the text cannot be read. Treat the result as read-only. */
export function listOperations(source: string): OperationInfo[] | undefined {
  if (read.has(source)) return read.get(source);
  const operations = readOperations(source);
  if (source.length <= 8192) {
    if (read.size >= 64) read.clear();
    read.set(source, operations);
  }
  return operations;
}

function readOperations(source: string): OperationInfo[] | undefined {
  const tokens = tokenize(source);
  const operations: OperationInfo[] = [];
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i]!;
    if (t === '"str"') {
      i++; // a description (graphql 16 accepts one before an operation or a fragment)
    } else if (t === '{') {
      operations.push({ type: 'query', rootFields: rootFieldsOf(tokens, i) });
      i = skipGroup(tokens, i);
    } else if (t === 'query' || t === 'mutation' || t === 'subscription') {
      let j = i + 1;
      const name = tokens[j] && NAME_START.test(tokens[j]![0]!) ? tokens[j++] : undefined;
      if (tokens[j] === '(') j = skipGroup(tokens, j);
      j = skipDirectives(tokens, j);
      if (tokens[j] !== '{') return undefined;
      operations.push({ type: t, name, rootFields: rootFieldsOf(tokens, j) });
      i = skipGroup(tokens, j);
    } else if (t === 'fragment') {
      // fragment Name on Type @directive(arg: { object }) { … }: the directives may hold braces.
      const j = skipDirectives(tokens, i + 4);
      if (tokens[i + 2] !== 'on' || tokens[j] !== '{') return undefined;
      i = skipGroup(tokens, j);
    } else {
      return undefined;
    }
  }
  return operations;
}

/**
 * Describes the operation a request runs: the one named `operationName`, or the only operation.
 * Returns `undefined` when the text cannot be read (the caller then assumes the worst).
 */
export function describeOperation(source: string, operationName?: string | null): OperationInfo | undefined {
  const operations = listOperations(source);
  if (!operations) return undefined;
  if (operationName) return operations.find((op) => op.name === operationName);
  return operations.length === 1 ? operations[0] : undefined;
}
