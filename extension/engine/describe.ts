/**
 * Total descriptions of thrown values: never throws, whatever was thrown. User code can throw null-prototype
 * objects, objects whose toString or Symbol.toPrimitive throws, Errors whose name/message getters throw, Proxies
 * whose every trap throws, and revoked Proxies. `String(x)` or `${x}` on those threw inside the kernel's own
 * error path: a cell got no execute_reply, and a timer that threw one aborted the kernel (issue 17, items 2, 7, 9).
 * Proxies are never touched through their traps: util.inspect shows their target, and we read nothing else.
 */
import { inspect, types } from 'node:util';

export interface ThrownDescription {
  /** True for an Error from any realm (not a Proxy of one). */
  isError: boolean;
  /** The Error's name, else a kind: 'null', 'undefined', 'string', 'Object', 'Proxy', a class name. */
  name: string;
  /** The Error's message, else the value as safeString shows it (a string as it is, objects inspected). */
  message: string;
  /** The Error's stack, when it is a readable string. */
  stack: string | undefined;
}

/** Long enough for a useful message; a thrown 100 MB string must not become a 100 MB log line. */
const MAX_TEXT = 10_000;

function clip(s: string): string {
  return s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}… (${s.length - MAX_TEXT} more characters)` : s;
}

/** util.inspect that never throws: no custom inspectors (they are user code), getters not called. */
export function safeInspect(value: unknown): string {
  try {
    return clip(inspect(value, { customInspect: false, depth: 2, maxStringLength: MAX_TEXT, maxArrayLength: 50 }));
  } catch {
    return '<unprintable value>';
  }
}

/** A property as a string, or undefined when it is absent or reading/converting it throws. */
function readString(value: object, key: 'name' | 'message' | 'stack'): string | undefined {
  let v: unknown;
  try {
    v = (value as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return clip(v);
  return typeof v === 'object' || typeof v === 'function' ? safeInspect(v) : safeString(v);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object' && typeof value !== 'function') return typeof value;
  if (types.isProxy(value)) return 'Proxy';
  try {
    const proto = Object.getPrototypeOf(value);
    if (proto === null) return 'Object';
    const ctor = proto.constructor;
    const name = typeof ctor === 'function' ? ctor.name : undefined;
    return typeof name === 'string' && name ? name : 'Object';
  } catch {
    return 'Object';
  }
}

function isErrorValue(value: unknown): value is object {
  if (typeof value !== 'object' || value === null || types.isProxy(value)) return false;
  if (types.isNativeError(value)) return true;
  try {
    return value instanceof Error;
  } catch {
    return false;
  }
}

export function describeThrown(value: unknown): ThrownDescription {
  if (!isErrorValue(value)) return { isError: false, name: kindOf(value), message: safeString(value), stack: undefined };
  const name = readString(value, 'name') ?? kindOf(value);
  const message = readString(value, 'message') ?? '';
  return { isError: true, name, message, stack: readString(value, 'stack') };
}

/** `String(value)` for logs and messages that never throws: strings as they are, anything else inspected. */
export function safeString(value: unknown): string {
  if (typeof value === 'string') return clip(value);
  if (typeof value === 'object' && value !== null && isErrorValue(value)) {
    const d = describeThrown(value);
    return d.stack ?? `${d.name}: ${d.message}`;
  }
  try {
    // primitives: String() is total for them except Symbol, which it handles too
    if (typeof value !== 'object' && typeof value !== 'function') return clip(String(value));
  } catch {
    // unreachable for primitives; kept so the function stays total
  }
  return safeInspect(value);
}

/** "Name: message", the one-line form of any thrown value. */
export function thrownMessage(value: unknown): string {
  const d = describeThrown(value);
  return d.isError ? (d.message ? `${d.name}: ${d.message}` : d.name) : d.message;
}
