// complete_request: the language service's names (types: `[1, 2].fla`, names declared in the code being edited)
// merged with the runtime's (what the cells made, magics after `%`). The runtime part never calls user code: a
// dotted path is followed through data properties only (an accessor or a Proxy ends it), never by [[Get]].
import { types } from 'node:util';
import ts from 'typescript';
import { parseCell } from '../typescript/transpile';
import type { Executor } from './execute';
import { parseable } from './input-bounds';

const KEYWORDS = ['await', 'async', 'break', 'case', 'catch', 'class', 'const', 'continue', 'default', 'delete', 'do',
  'else', 'enum', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof',
  'interface', 'let', 'new', 'null', 'return', 'switch', 'this', 'throw', 'true', 'try', 'type', 'typeof',
  'undefined', 'var', 'void', 'while', 'yield'];

/** The first cell's program build can take seconds under load; after that answers take milliseconds. */
const LANGUAGE_WAIT_MS = 8000;
const NOTHING = Symbol('nothing');

const isObject = (o: unknown): o is object => (typeof o === 'object' && o !== null) || typeof o === 'function';

/** The descriptor of `key` on `o` or its prototypes, without running a trap or a getter. */
function descriptor(o: object, key: string): PropertyDescriptor | undefined {
  for (let p: object | null = o, depth = 0; p && depth < 50; p = Object.getPrototypeOf(p), depth++) {
    if (types.isProxy(p)) return undefined;
    const d = Object.getOwnPropertyDescriptor(p, key);
    if (d) return d;
  }
  return undefined;
}

/**
 * The value at a dotted path from the user's names (the runtime's scope object, whose traps read bindings and
 * run no user code), through data properties only; NOTHING if that would need user code.
 */
export function resolvePath(scope: object, path: string[]): unknown {
  const first = Object.getOwnPropertyDescriptor(scope, path[0]);
  if (!first || !('value' in first)) return NOTHING;
  let o: unknown = first.value;
  for (const key of path.slice(1)) {
    if (o === null || o === undefined) return NOTHING;
    const d = descriptor(isObject(o) ? o : Object(o), key);
    if (!d || !('value' in d)) return NOTHING;
    o = d.value;
  }
  return o;
}

/** Own and inherited property names, without traps (a Proxy ends the walk; `trusted` is the scope object). */
export function members(obj: unknown, trusted?: object): string[] {
  const names = new Set<string>();
  if (obj === null || obj === undefined || obj === NOTHING) return [];
  if (obj === trusted) for (const k of Object.getOwnPropertyNames(obj)) if (/^[A-Za-z_$][\w$]*$/.test(k)) names.add(k);
  let o: object | null = obj === trusted ? null : isObject(obj) ? obj : Object(obj);
  for (let depth = 0; o && depth < 20; depth++, o = Object.getPrototypeOf(o)) {
    if (types.isProxy(o)) break;
    for (const k of Object.getOwnPropertyNames(o)) if (/^[A-Za-z_$][\w$]*$/.test(k) && k !== 'constructor') names.add(k);
  }
  return [...names];
}

/** Names the code being edited declares anywhere (so `const qqLongName = 1; qqLong` completes), by parsing. */
export function declaredIn(code: string): string[] {
  const names: string[] = [];
  const bind = (n: ts.Node | undefined) => {
    if (!n) return;
    if (ts.isIdentifier(n)) names.push(n.text);
    else if (ts.isObjectBindingPattern(n) || ts.isArrayBindingPattern(n)) for (const e of n.elements) if (!ts.isOmittedExpression(e)) bind(e.name);
  };
  const visit = (n: ts.Node): void => {
    if (ts.isVariableDeclaration(n) || ts.isParameter(n) || ts.isFunctionDeclaration(n) || ts.isClassDeclaration(n) ||
      ts.isInterfaceDeclaration(n) || ts.isTypeAliasDeclaration(n) || ts.isEnumDeclaration(n) || ts.isImportClause(n) ||
      ts.isNamespaceImport(n) || ts.isImportSpecifier(n) || ts.isFunctionExpression(n) || ts.isClassExpression(n)) bind(n.name);
    ts.forEachChild(n, visit);
  };
  visit(parseCell(code));
  return names;
}

export async function complete(ex: Executor, code: string, cursor: number) {
  const before = code.slice(0, cursor);
  const magic = /(?:^|\n)\s*(%%?)([\w-]*)$/.exec(before);
  const reply = (prefix: string, candidates: string[]) => ({
    status: 'ok',
    matches: [...new Set(candidates.filter((c) => c.startsWith(prefix)))].sort(),
    cursor_start: cursor - prefix.length,
    cursor_end: cursor,
    metadata: {},
  });
  if (magic) {
    const names = ex.magics.names();
    return reply(magic[2], magic[1] === '%%' ? names.cell : names.line);
  }
  const prefix = /[\w$]*$/.exec(before)![0];
  if (!parseable(code)) return reply(prefix, [...members(ex.scope, ex.scope), ...KEYWORDS]); // runtime names only
  // Names: the runtime's and the edited code's (a parse, ~1 ms), no type checker needed.
  if (!/\.\s*[\w$]*$/.test(before)) return reply(prefix, [...members(ex.scope, ex.scope), ...KEYWORDS, ...declaredIn(before)]);
  // Members: from the live value when a plain dotted path reaches it through data properties (3-7 ms), else
  // from the types (`[1, 2].fla`, `'abc'.toUpp`, a getter's result): the language worker, ~15-40 ms.
  const dotted = /(?:^|[^\w$.])((?:[A-Za-z_$][\w$]*\.)+)[\w$]*$/.exec(before);
  const value = dotted ? resolvePath(ex.scope, dotted[1].slice(0, -1).split('.')) : NOTHING;
  if (value !== NOTHING && value !== undefined && value !== null) return reply(prefix, members(value));
  const typed = await ex.language.complete(code, cursor, LANGUAGE_WAIT_MS);
  return reply(prefix, typed?.names ?? []);
}
