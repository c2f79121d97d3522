/**
 * Shipping a function to another thread, process or node: its source text travels, not the closure.
 *
 * - `portableSource(fn, taskName)` returns an expression that evaluates to the function, and throws
 *   `ClosureError` when the body uses a variable from the enclosing scope (found by parsing the source with
 *   the TypeScript compiler API: identifiers that are neither globals, parameters nor locals).
 * - `portableFunction(fn, taskName)` is that source with where it was written (source-origin.ts), so the
 *   worker's stack frames name the cell's or script's lines.
 * - `reviveFunction(source, taskName, origin)` turns that expression back into a function (cached); the function
 *   may call `require` (taskRequire: resolved as where it was written) but sees no other module-level names.
 * - `assertCloneable(args, taskName)` fails early, naming the task and the argument, for args that
 *   structuredClone rejects (functions, sockets, ...), instead of a DataCloneError deep in a pool.
 */
import type * as TS from 'typescript';
import * as vm from 'node:vm';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { errorMessage, isError } from '../engine/realm';
import { ArgumentCloneError, ClosureError, NotPortableError } from '../engine/errors';
import { ASYNC_ITER_BRIDGE, AWAIT_BRIDGE, currentHost } from '../host';
import { functionOrigin, scriptTopLevelNames, type SourceOrigin } from './source-origin';
import { closureAdvice, shadowedInRealm } from './closure-check';

// Loaded on first use: workers only revive functions and must not pay for the compiler.
let tsModule: typeof TS | undefined;
const typescript = (): typeof TS => (tsModule ??= require('typescript') as typeof TS);

export { ArgumentCloneError, ClosureError, NotPortableError } from '../engine/errors';

/** Names a shipped function may use without declaring them (besides what globalThis has). */
const EXTRA_GLOBALS = new Set([
  'arguments', 'undefined', 'NaN', 'Infinity', 'globalThis', 'require', 'eval', AWAIT_BRIDGE, ASYNC_ITER_BRIDGE,
]);

/** What travels to a worker for one function: its source, and where it was written when that is known. */
export interface ShippedFunction {
  source: string;
  origin?: SourceOrigin;
}

const shippedCache = new WeakMap<Function, ShippedFunction>();

export function portableSource(fn: Function, taskName: string): string {
  return portableFunction(fn, taskName).source;
}

export function portableFunction(fn: Function, taskName: string): ShippedFunction {
  if (typeof fn !== 'function') throw new TypeError(`task '${taskName}': expected a function, got ${typeof fn}`);
  const cached = shippedCache.get(fn);
  if (cached !== undefined) return cached;
  const text = fn.toString();
  if (/\{\s*\[native code\]\s*\}\s*$/.test(text)) {
    throw new NotPortableError(taskName, `task '${taskName}': a native or bound function cannot be shipped to a worker`);
  }
  const { source, node } = parseFunction(text, taskName);
  const names = freeIdentifiers(node).filter((n) => !EXTRA_GLOBALS.has(n));
  const origin = functionOrigin(text);
  // A plain script's top-level `const URL = '…'` shadows the global too, where no realm can show it.
  const script = origin && !currentHost() ? scriptTopLevelNames(origin.file) : undefined;
  const free = names.filter((n) => !(n in globalThis) || shadowedInRealm(fn, n) || script?.has(n));
  if (free.length) throw new ClosureError(taskName, free, closureAdvice(fn, free, script));
  const shipped: ShippedFunction = { source };
  // A method rewritten as `function name(…)` gained characters in front of its first line only.
  if (origin) shipped.origin = { ...origin, column: origin.column - (source.length - text.length) };
  shippedCache.set(fn, shipped);
  return shipped;
}

/** Parses `text` as a function expression; method shorthand (`foo(x) {}`) is rewritten as `function foo(x) {}`. */
function parseFunction(text: string, taskName: string): { source: string; node: TS.Node } {
  const ts = typescript();
  const candidates = [text];
  if (/^class\b/.test(text)) throw new NotPortableError(taskName, `task '${taskName}': a class is not a function task`);
  const method = /^(async\s+)?(\*\s*)?([A-Za-z_$][\w$]*|\[[^\]]*\])\s*\(/.exec(text);
  if (method && !/^(async\s+)?function\b/.test(text)) {
    const name = method[3].startsWith('[') ? '' : method[3];
    candidates.push(`${method[1] ?? ''}function${method[2] ? '*' : ''} ${name}${text.slice(method[0].length - 1)}`);
  }
  for (const source of candidates) {
    const file = ts.createSourceFile('task.js', `(${source})`, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
    const diagnostics = (file as unknown as { parseDiagnostics: TS.Diagnostic[] }).parseDiagnostics;
    const stmt = file.statements[0];
    if (diagnostics.length || file.statements.length !== 1 || !ts.isExpressionStatement(stmt)) continue;
    let expr: TS.Expression = stmt.expression;
    while (ts.isParenthesizedExpression(expr)) expr = expr.expression;
    if (ts.isArrowFunction(expr) || ts.isFunctionExpression(expr)) return { source, node: expr };
  }
  throw new NotPortableError(taskName, `task '${taskName}': cannot parse the function's source to ship it`);
}

/**
 * Identifiers read in `root` that no enclosing parameter or declaration inside `root` binds. Scopes are
 * flattened (a name declared anywhere inside counts as local): this can miss a capture shadowed in a
 * sibling block, but never flags a correct function.
 */
function freeIdentifiers(root: TS.Node): string[] {
  const ts = typescript();
  const declared = new Set<string>();
  const used = new Set<string>();
  const declareBinding = (name: TS.BindingName): void => {
    if (ts.isIdentifier(name)) declared.add(name.text);
    else for (const el of name.elements) if (!ts.isOmittedExpression(el)) declareBinding(el.name);
  };
  const visit = (node: TS.Node): void => {
    if (ts.isIdentifier(node)) {
      if (isReference(node)) used.add(node.text);
      return;
    }
    if (ts.isVariableDeclaration(node) || ts.isParameter(node) || ts.isBindingElement(node)) declareBinding(node.name);
    else if ((ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node)) && node.name) declared.add(node.name.text);
    else if ((ts.isFunctionExpression(node) || ts.isClassExpression(node)) && node.name) declared.add(node.name.text);
    ts.forEachChild(node, visit);
  };
  visit(root);
  return [...used].filter((n) => !declared.has(n));
}

/** False for identifiers that are names, not reads: property keys, labels, member names. */
function isReference(id: TS.Identifier): boolean {
  const ts = typescript();
  const p = id.parent;
  if (ts.isPropertyAccessExpression(p) && p.name === id) return false;
  if ((ts.isPropertyAssignment(p) || ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p) ||
       ts.isGetAccessorDeclaration(p) || ts.isSetAccessorDeclaration(p)) && p.name === id) return false;
  if (ts.isBindingElement(p) && p.propertyName === id) return false;
  if (ts.isLabeledStatement(p) || ts.isBreakOrContinueStatement(p)) return false;
  if (ts.isMetaProperty(p)) return false;
  if ((ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isBindingElement(p) || ts.isFunctionDeclaration(p) ||
       ts.isFunctionExpression(p) || ts.isClassDeclaration(p) || ts.isClassExpression(p)) && p.name === id) return false;
  return true;
}

const revived = new Map<string, (...a: any[]) => unknown>();
const RETURN = 'return (';

export function reviveFunction(source: string, taskName = 'task', origin?: SourceOrigin): (...a: any[]) => unknown {
  const key = origin ? `${origin.file}:${origin.line}:${origin.column}\n${source}` : source;
  let fn = revived.get(key);
  if (!fn) {
    // A function body of its own: it sees only globals (plus `require`), exactly what portableSource allowed.
    // Compiled at the file, line and column it was written at, so its frames read as they did there (an
    // unknown origin names the task, lines counted from the function's first); `new Function` put
    // `eval at reviveFunction` and two header lines into every frame.
    const at = origin ?? { file: `task:${taskName.replace(/[^\w.$-]/g, '_')}`, line: 0, column: 0 };
    const identity = (x: unknown) => x;
    const make = vm.compileFunction(`${RETURN}${source}\n)`, ['require', AWAIT_BRIDGE, ASYNC_ITER_BRIDGE], {
      filename: at.file, lineOffset: at.line, columnOffset: at.column - RETURN.length,
    });
    fn = make(taskRequire(at.file), identity, identity) as (...a: any[]) => unknown;
    if (typeof fn !== 'function') throw new NotPortableError(taskName, 'shipped source does not evaluate to a function');
    if (revived.size > 1000) revived.clear();
    revived.set(key, fn);
  }
  return fn;
}

const requires = new Map<string, NodeJS.Require>();

/**
 * `require` inside a shipped function resolves as it would where the function was written: from the script's
 * file, or for a cell (or an unknown origin) from the working directory, as the notebook's own `require` does
 * (a task's `require('./lib')` found flowbook's folder instead). What resolves only from flowbook's own folder
 * (its dependencies) is still found there, as before.
 */
function taskRequire(file: string): NodeJS.Require {
  const base = path.isAbsolute(file) ? file : path.join(process.cwd(), '[task]');
  let req = requires.get(base);
  if (!req) {
    const local = createRequire(base);
    req = Object.assign((id: string) => {
      try {
        local.resolve(id);
      } catch {
        return require(id); // not found from there: flowbook's own resolution (its error if it fails too)
      }
      return local(id);
    }, { resolve: local.resolve, cache: local.cache, main: local.main, extensions: local.extensions }) as NodeJS.Require;
    if (requires.size > 100) requires.clear();
    requires.set(base, req);
  }
  return req;
}

export function assertCloneable(args: unknown[], taskName: string): void {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const t = typeof a;
    if (a === null || t === 'number' || t === 'string' || t === 'boolean' || t === 'undefined' || t === 'bigint') continue;
    if (t === 'function' || t === 'symbol') {
      throw new ArgumentCloneError(taskName, `task '${taskName}': argument ${i + 1} is a ${t} and cannot be sent to a worker`);
    }
    try {
      structuredClone(a);
    } catch (err) {
      const why = errorMessage(err);
      throw new ArgumentCloneError(taskName, `task '${taskName}': argument ${i + 1} cannot be sent to a worker (${why})`);
    }
  }
}
