/**
 * Futures (and plain promises) anywhere in a task's arguments: positional, in arrays, in plain objects,
 * nested. `scanArgs` reports each one; `substitute` rebuilds the arguments with their values. Class
 * instances, Maps and Sets are passed through untouched.
 */
import { TaskFuture } from './future';
import { isPlainObject, isThenable } from './realm';

export type DepVisitor = (dep: TaskFuture<unknown> | Promise<unknown>) => void;

export function scanArgs(args: unknown[], visit: DepVisitor): void {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (typeof a === 'object' && a !== null) scanValue(a, visit, null);
  }
}

function scanValue(v: object, visit: DepVisitor, seen: Set<object> | null): void {
  if (v instanceof TaskFuture || isThenable(v)) return visit(v as Promise<unknown>);
  const isArray = Array.isArray(v);
  if (!isArray && !isPlainObject(v)) return;
  seen ??= new Set();
  if (seen.has(v)) return;
  seen.add(v);
  const items = isArray ? (v as unknown[]) : Object.values(v);
  for (let i = 0; i < items.length; i++) {
    const x = items[i];
    if (typeof x === 'object' && x !== null) scanValue(x, visit, seen);
  }
}

export function substitute(args: unknown[], promiseValues: Map<Promise<unknown>, unknown> | null): unknown[] {
  const out = new Array(args.length);
  for (let i = 0; i < args.length; i++) out[i] = resolveValue(args[i], promiseValues, null);
  return out;
}

function resolveValue(v: unknown, pv: Map<Promise<unknown>, unknown> | null, seen: Map<object, unknown> | null): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (v instanceof TaskFuture) return v.value;
  if (isThenable(v)) return pv?.get(v as Promise<unknown>);
  const isArray = Array.isArray(v);
  if (!isArray && !isPlainObject(v)) return v;
  seen ??= new Map();
  const prior = seen.get(v);
  if (prior !== undefined) return prior;
  if (isArray) {
    const out: unknown[] = [];
    seen.set(v, out);
    for (const x of v as unknown[]) out.push(resolveValue(x, pv, seen));
    return out;
  }
  const out: Record<string, unknown> = Object.getPrototypeOf(v) === null ? Object.create(null) : {};
  seen.set(v, out);
  for (const k of Object.keys(v)) out[k] = resolveValue((v as Record<string, unknown>)[k], pv, seen);
  return out;
}
