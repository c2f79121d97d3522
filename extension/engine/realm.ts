import { types } from 'node:util';
import { safeString } from './describe';
import { currentHost } from '../host';
/**
 * Realm-safe type checks. In the kernel, user code runs in a vm context: its promises, arrays and object
 * literals come from another realm, so `instanceof Promise` and `proto === Object.prototype` miss them
 * (an async task would look like it returned a value at once, and futures inside `{...}` would be lost).
 */
export function isThenable(v: unknown): v is PromiseLike<unknown> {
  if ((typeof v !== 'object' && typeof v !== 'function') || v === null) return false;
  try {
    return typeof (v as PromiseLike<unknown>).then === 'function';
  } catch {
    return false; // a Proxy whose get trap throws: a plain value, not a promise
  }
}

/** An object literal or Object.create(null), from any realm; class instances, Maps and Sets are not. */
export function isPlainObject(o: object): boolean {
  const proto = Object.getPrototypeOf(o);
  if (proto === null || proto === Object.prototype) return true;
  return Object.getPrototypeOf(proto) === null && Object.prototype.toString.call(o) === '[object Object]'
    && typeof proto.constructor === 'function' && proto.constructor.name === 'Object';
}

/**
 * The message of an Error from any realm (user code throws the vm context's Error), else a description of the
 * thrown value. Never throws: user code throws null, symbols, Object.create(null), Proxies, objects whose
 * toString throws and Errors whose `message` getter throws, and a throw here once left tasks unsettled.
 */
export function errorMessage(err: unknown): string {
  if (isError(err)) {
    try {
      const m = (err as Error).message;
      if (typeof m === 'string') return m;
      return describeValue(m);
    } catch {
      return `${safeName(err)} (its message could not be read)`;
    }
  }
  return describeValue(err);
}

export function isError(err: unknown): err is Error {
  if (typeof err !== 'object' || err === null || types.isProxy(err)) return false;
  try {
    return types.isNativeError(err) || err instanceof Error;
  } catch {
    return false;
  }
}

/** The name of an error, or 'Error' when reading it throws. */
export function safeName(err: unknown): string {
  try {
    const n = (err as { name?: unknown }).name;
    return typeof n === 'string' ? n : 'Error';
  } catch {
    return 'Error';
  }
}

/** A never-throwing text for any value (describe.ts, shared with the kernel's error paths). */
export function describeValue(v: unknown): string {
  // util.inspect shows a Proxy's target without touching its traps: say that it is one.
  return types.isProxy(v) ? `Proxy(${safeString(v)})` : safeString(v);
}

/** How the engine calls user functions: through the host (extension/host.ts) when one is installed. */
export function callUser(fn: (...args: any[]) => unknown, args: unknown[]): unknown {
  const host = currentHost();
  return host === null ? fn(...args) : host.callUser(fn, args);
}
