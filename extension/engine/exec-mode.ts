/** The backend spec of a task; for executables, exec mode (the function returned an argv array). */
import type { TaskSpec } from '../backends/backend';
import { InvalidTaskError } from './errors';
import type { TaskDef } from './types';

/** Exec mode: an executable's function returned `[program, ...args]` (run without a shell). */
export function execArgv(v: unknown): string[] | undefined {
  if (!Array.isArray(v) || v.length === 0) return undefined;
  for (const a of v) if (typeof a !== 'string') return undefined;
  return v.length && v[0] !== '' ? (v.slice() as string[]) : undefined;
}

/** POSIX shell quoting, for the command shown in events and errors (and backends that need a shell). */
export function shellQuote(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

/** The spec for the backend, or the error of an executable whose function returned neither form. */
export function buildSpec(id: string, def: TaskDef, args: unknown[], command: unknown): TaskSpec | InvalidTaskError {
  let argv: string[] | undefined;
  if (def.kind === 'executable' && typeof command !== 'string') {
    argv = execArgv(command);
    if (!argv) {
      const got = command === null ? 'null' : Array.isArray(command) ? 'an array that is not a non-empty list of strings' : typeof command;
      return new InvalidTaskError(def.name, `task '${def.name}': an executable task's function must return a shell command string or an argv array of strings, got ${got}`);
    }
    command = argv.map(shellQuote).join(' ');
  }
  const spec: TaskSpec = {
    id, name: def.name, kind: def.kind as 'function' | 'executable', args, attempt: 0,
    fn: def.kind === 'function' ? def.fn : undefined, source: def.source, command: command as string | undefined,
    cwd: def.cwd, env: def.env, timeoutMs: def.timeoutMs, taskDescription: def.taskDescription,
  };
  if (argv) spec.argv = argv;
  return spec;
}
