/**
 * Errors and thrown values across a thread, process or network boundary: `toWire` in the worker, `fromWire` in
 * the host. The one place that does it, for the pools and the SLURM agent alike.
 *
 * Whatever a task throws arrives as something that shows it: an Error keeps its class (for the engine's own
 * family), name, message, stack and code; a primitive (null, undefined, a string, a number) arrives as itself,
 * as it would in-loop; a symbol, a Proxy, a function or an object that cannot be sent becomes a ThrownValueError
 * whose message describes it. `toWire` never throws, whatever it is given.
 */
import {
  ArgumentCloneError, ClosureError, ExecutableError, NotPortableError, TaskCancelledError, TaskError, ThrownValueError,
  WorkerCrashError,
} from './errors';
import { describeValue, errorMessage, isError, safeName } from './realm';

export type WireError =
  | {
      kind: 'error';
      name: string;
      message: string;
      stack?: string;
      code?: string | number;
      /** ExecutableError */
      command?: string;
      exitCode?: number | null;
      stderr?: string;
      signal?: string | null;
    }
  | { kind: 'value'; value: string | number | boolean | null | undefined }
  | { kind: 'opaque'; text: string };

function read<T>(get: () => T): T | undefined {
  try {
    return get();
  } catch {
    return undefined;
  }
}

export function toWire(thrown: unknown): WireError {
  const t = typeof thrown;
  if (thrown === null || t === 'undefined' || t === 'string' || t === 'boolean' || (t === 'number')) {
    return { kind: 'value', value: thrown as string | number | boolean | null | undefined };
  }
  if (!isError(thrown)) return { kind: 'opaque', text: describeValue(thrown) };
  const e = thrown as Error & Partial<ExecutableError> & { code?: unknown };
  const out: WireError = { kind: 'error', name: safeName(e), message: errorMessage(e) };
  const stack = read(() => e.stack);
  if (typeof stack === 'string') out.stack = stack;
  const code = read(() => e.code);
  if (typeof code === 'string' || typeof code === 'number') out.code = code;
  if (out.name === 'ExecutableError') {
    out.command = String(read(() => e.command) ?? '');
    const exitCode = read(() => e.exitCode);
    out.exitCode = typeof exitCode === 'number' ? exitCode : null;
    out.stderr = String(read(() => e.stderr) ?? '');
    const signal = read(() => e.signal);
    out.signal = typeof signal === 'string' ? signal : null;
  }
  return out;
}

/** Rebuilds what `toWire` sent; engine errors come back as their own class, named for `taskName`. */
export function fromWire(w: WireError, taskName: string): unknown {
  switch (w.kind) {
    case 'value':
      return w.value;
    case 'opaque':
      return new ThrownValueError(taskName, `task '${taskName}' threw ${w.text}`);
    case 'error':
      return rebuild(w, taskName);
  }
}

function rebuild(w: Extract<WireError, { kind: 'error' }>, taskName: string): Error {
  let err: Error;
  switch (w.name) {
    case 'ExecutableError':
      err = new ExecutableError(taskName, w.command ?? '', w.exitCode ?? null, w.stderr ?? '', w.signal ?? null);
      break;
    case 'TaskCancelledError':
      err = Object.assign(new TaskCancelledError(taskName), { message: w.message });
      break;
    case 'WorkerCrashError':
    case 'NotPortableError':
    case 'ArgumentCloneError':
    case 'ThrownValueError':
    case 'TaskError': {
      const Cls = FAMILY[w.name];
      err = new Cls(taskName, w.message);
      break;
    }
    case 'ClosureError':
      err = Object.assign(new ClosureError(taskName, []), { message: w.message });
      break;
    default:
      err = new Error(w.message);
      if (w.name !== 'Error') Object.defineProperty(err, 'name', { value: w.name, configurable: true, writable: true });
  }
  if (w.stack) err.stack = w.stack;
  if (w.code !== undefined) (err as Error & { code?: unknown }).code = w.code;
  return err;
}

type Family = new (taskName: string, message: string) => TaskError;
// Rebuilt with the plain (taskName, message) constructor; the specific fields of these are not sent.
const FAMILY: Record<string, Family> = {
  TaskError,
  WorkerCrashError,
  NotPortableError,
  ArgumentCloneError,
  ThrownValueError,
};
