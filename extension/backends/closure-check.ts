/**
 * What a shipped function captures, seen from the realm it was written in: which free names mean something
 * else there than in a worker, and what to do about each. In the kernel a cell's top-level names are bindings
 * of the realm's global scope, so code made by that realm's Function constructor can read them: the advice then
 * fits the value (a module, a function, data). Names from a function's own closure, or a script module's
 * top level, cannot be read from outside: they get the advice for every kind.
 */
import { builtinModules } from 'node:module';

/** `notebookGlobal`: a property of that realm's global object (the kernel's `display`, `flow`, a `globalThis.x = …`). */
type Seen = { visible: true; value: unknown; notebookGlobal: boolean } | { visible: false };

/** The value `name` has in `fn`'s realm's global scope, if there is one and it can be read. */
function realmValue(fn: Function, name: string): Seen {
  if (!/^[A-Za-z_$][\w$]*$/.test(name)) return { visible: false };
  try {
    const RealmFunction = realmFunction(fn);
    if (!RealmFunction) return { visible: false };
    // typeof first: an undeclared name is not a ReferenceError; a binding in its TDZ still throws (caught)
    const read = `return typeof ${name} === 'undefined' ? [false] : [true, ${name}, Object.prototype.hasOwnProperty.call(globalThis, '${name}')];`;
    const [found, value, own] = new RealmFunction(read)() as [boolean, unknown, boolean];
    return found ? { visible: true, value, notebookGlobal: own && !(name in globalThis) } : { visible: false };
  } catch {
    return { visible: false }; // code generation disallowed in that realm, or a binding not yet initialized
  }
}

function realmFunction(fn: Function): FunctionConstructor | null {
  let proto = Object.getPrototypeOf(fn);
  while (proto && proto.constructor?.name !== 'Function') proto = Object.getPrototypeOf(proto);
  return proto ? (proto.constructor as FunctionConstructor) : null;
}

/**
 * True when `name`, a global here, means something else where `fn` was written: a cell's `const URL = '…'`
 * shadows the global URL, and the worker would silently use its own URL class.
 */
export function shadowedInRealm(fn: Function, name: string): boolean {
  if (!/^[A-Za-z_$][\w$]*$/.test(name)) return false;
  try {
    const RealmFunction = realmFunction(fn);
    if (!RealmFunction) return false;
    const [seen, global] = new RealmFunction(`return [${name}, globalThis[${JSON.stringify(name)}]];`)() as unknown[];
    const here = (globalThis as Record<string, unknown>)[name];
    return seen !== global || typeof seen !== typeof here;
  } catch {
    return false; // code generation disallowed in that realm: keep the plain check
  }
}

/** The require() specifier that gives `value`, or that `value` is a member of ('fs', 'fs').readFileSync). */
function moduleOf(value: unknown): { spec: string; member?: string } | null {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return null;
  const candidates: [string, unknown][] = [];
  // Built-ins already loaded only: requiring one that is not would load it (and some warn when loaded).
  const loaded = new Set(((process as unknown as { moduleLoadList?: string[] }).moduleLoadList ?? [])
    .filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length)));
  for (const b of builtinModules) if (loaded.has(b)) candidates.push([b, safeRequire(b)]);
  for (const [file, m] of Object.entries(require.cache)) if (m) candidates.push([specifierFor(file), m.exports]);
  for (const [spec, exports] of candidates) if (exports === value) return { spec };
  for (const [spec, exports] of candidates) {
    if ((typeof exports !== 'object' && typeof exports !== 'function') || exports === null) continue;
    for (const key of Object.keys(exports)) {
      const d = Object.getOwnPropertyDescriptor(exports, key);
      if (d && 'value' in d && d.value === value) return { spec, member: key };
    }
  }
  return null;
}

function safeRequire(name: string): unknown {
  try {
    return require(name);
  } catch {
    return undefined;
  }
}

/** A package's name for a file inside node_modules, else the file itself. */
function specifierFor(file: string): string {
  const m = /[\\/]node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)[\\/](.*)$/.exec(file);
  if (!m) return file;
  return m[1].replace(/\\/g, '/');
}

function isClass(f: Function): boolean {
  try {
    return /^class\b/.test(Function.prototype.toString.call(f));
  } catch {
    return false;
  }
}

const EVERY_KIND = 'require() a module inside the task, pass data as an argument, and make a function a task of its own';

/**
 * One piece of advice per captured name, fitted to what it holds where the function was written. `unreadable`:
 * names known to be declared where the realm cannot show them (a script's top level: the realm would show the
 * global they hide).
 */
export function closureAdvice(fn: Function, names: string[], unreadable?: Set<string>): string {
  const parts = names.map((name) => {
    const seen: Seen = unreadable?.has(name) ? { visible: false } : realmValue(fn, name);
    const hides = name in globalThis ? ` (it hides the global ${name}, which a worker would use instead)` : '';
    if (!seen.visible) return hides ? `for '${name}': ${EVERY_KIND}${hides}` : null;
    const mod = moduleOf(seen.value);
    if (mod) {
      const call = `require('${mod.spec.replace(/'/g, "\\'")}')${mod.member === undefined ? '' : `.${mod.member}`}`;
      return `call ${call} inside the task instead of '${name}'${hides}`;
    }
    const callable = typeof seen.value === 'function';
    if (seen.notebookGlobal) {
      const what = `'${name}' is a global of the notebook, which a worker does not have`;
      return callable ? `call '${name}' outside the task (${what})` : `pass '${name}' as an argument (${what})`;
    }
    if (callable && isClass(seen.value as Function)) return `define class '${name}' inside the task${hides}`;
    if (callable) return `make '${name}' a task of its own, or define it inside this one${hides}`;
    return `pass '${name}' as an argument${hides}`;
  });
  if (parts.every((p) => p === null)) return EVERY_KIND;
  const unknown = names.filter((_, i) => parts[i] === null);
  const known = parts.filter((p): p is string => p !== null);
  if (unknown.length) known.push(`for ${unknown.map((n) => `'${n}'`).join(', ')}: ${EVERY_KIND}`);
  return known.join('; ');
}
