import { types } from 'node:util';
/**
 * Realm-safe type checks. In the kernel, user code runs in a vm context: its promises, arrays and object
 * literals come from another realm, so `instanceof Promise` and `proto === Object.prototype` miss them
 * (an async task would look like it returned a value at once, and futures inside `{...}` would be lost).
 */
export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === 'object' || typeof v === 'function') && v !== null && typeof (v as PromiseLike<unknown>).then === 'function';
}

/** An object literal or Object.create(null), from any realm; class instances, Maps and Sets are not. */
export function isPlainObject(o: object): boolean {
  const proto = Object.getPrototypeOf(o);
  if (proto === null || proto === Object.prototype) return true;
  return Object.getPrototypeOf(proto) === null && Object.prototype.toString.call(o) === '[object Object]'
    && typeof proto.constructor === 'function' && proto.constructor.name === 'Object';
}

/** The message of an Error from any realm (user code throws the vm context's Error), else String(err). */
export function errorMessage(err: unknown): string {
  return isError(err) ? err.message : String(err);
}

export function isError(err: unknown): err is Error {
  return types.isNativeError(err) || err instanceof Error;
}

/**
 * How the engine calls user functions (in-loop tasks, blocks, command builders). A host that runs user code in
 * its own realm sets this: the kernel runs them inside an interruptible vm run, so a task that spins can be
 * stopped; called from the engine's own promise callbacks, it otherwise could not.
 */
export type UserCall = (fn: (...args: any[]) => unknown, args: unknown[]) => unknown;
let userCall: UserCall | null = null;

export function setUserCall(call: UserCall | null): void {
  userCall = call;
}

export function callUser(fn: (...args: any[]) => unknown, args: unknown[]): unknown {
  return userCall === null ? fn(...args) : userCall(fn, args);
}
