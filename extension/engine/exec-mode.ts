/** Exec mode of executable tasks: the function returned an argv array instead of a shell command. */

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
