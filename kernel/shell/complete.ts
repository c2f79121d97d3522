// complete_request by runtime inspection: globals, members after `.` (the object path is evaluated only when it
// is a plain dotted name, so completion never calls user functions), magics after `%`.
import type { Executor } from './execute';

const KEYWORDS = ['await', 'async', 'break', 'case', 'catch', 'class', 'const', 'continue', 'default', 'delete', 'do',
  'else', 'enum', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof',
  'interface', 'let', 'new', 'null', 'return', 'switch', 'this', 'throw', 'true', 'try', 'type', 'typeof',
  'undefined', 'var', 'void', 'while', 'yield'];

function members(obj: unknown): string[] {
  const names = new Set<string>();
  let o: any = obj;
  if (o === null || o === undefined) return [];
  if (typeof o !== 'object' && typeof o !== 'function') o = Object(o);
  for (let depth = 0; o && depth < 20; depth++, o = Object.getPrototypeOf(o)) {
    for (const k of Object.getOwnPropertyNames(o)) if (/^[A-Za-z_$][\w$]*$/.test(k) && k !== 'constructor') names.add(k);
  }
  return [...names];
}

export function complete(ex: Executor, code: string, cursor: number) {
  const before = code.slice(0, cursor);
  let candidates: string[];
  let prefix: string;
  const magic = /(?:^|\n)\s*(%%?)([\w-]*)$/.exec(before);
  const dotted = /((?:[A-Za-z_$][\w$]*\.)+)([\w$]*)$/.exec(before);
  if (magic) {
    const names = ex.magics.names();
    prefix = magic[2];
    candidates = (magic[1] === '%%' ? names.cell : names.line).map((n) => n);
  } else if (dotted) {
    prefix = dotted[2];
    let target: unknown;
    try {
      target = ex.runtime.evaluate(dotted[1].slice(0, -1));
    } catch {
      target = undefined;
    }
    candidates = members(target);
  } else {
    prefix = /[A-Za-z_$][\w$]*$/.exec(before)?.[0] ?? '';
    candidates = [...members(ex.scope), ...KEYWORDS];
  }
  const matches = [...new Set(candidates.filter((c) => c.startsWith(prefix)))].sort();
  return { status: 'ok', matches, cursor_start: cursor - prefix.length, cursor_end: cursor, metadata: {} };
}
