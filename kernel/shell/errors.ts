// Error -> Jupyter `error` content, with stack frames mapped back to cell lines.
import { inspect } from 'node:util';
import type { CompiledCell } from '../typescript/transpile';

export interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
}

const ONE_LINE = new Set(['UsageError', 'CalledProcessError', 'TypeScriptError']);
const cells = new Map<string, CompiledCell>();
const MAX_CELLS = 500;

export function rememberCell(filename: string, c: CompiledCell): void {
  cells.set(filename, c);
  if (cells.size > MAX_CELLS) cells.delete(cells.keys().next().value!);
}

function mapFrame(file: string, line: number, col: number): string {
  const c = cells.get(file);
  if (!c) return `${file}:${line}:${col}`;
  const src = c.lines[line - 1];
  const cellLine = src === undefined || src < 0 ? line : src + 1;
  const cellCol = cellLine === 1 ? Math.max(1, col - c.firstLineShift) : col;
  return `${file.replace(/\.ts$/, '')}, line ${cellLine}, column ${cellCol}`;
}

/** Keeps user frames and library frames; drops the kernel's and Node's internals. */
function frames(stack: string): string[] {
  return stack
    .split('\n')
    .filter((l) => /^\s+at /.test(l))
    .filter((l) => !/node:(vm|internal|async_hooks)|[\\/]dist[\\/]kernel[\\/]|flowbook-runner|new Promise \(<anonymous>\)/.test(l))
    .map((l) => l.replace(/(cell-[\d-]+\.ts):(\d+):(\d+)/g, (_, f, ln, c) => mapFrame(f, +ln, +c)));
}

export function errorContent(err: unknown): ErrorContent {
  const e = err as any;
  const isError = e instanceof Error || (e && typeof e === 'object' && typeof e.stack === 'string' && typeof e.message === 'string');
  if (!isError) {
    // `throw 42`, `throw { code: 1 }`, `Promise.reject('x')`: not an Error, so no stack.
    const ename = e === null ? 'null' : typeof e === 'object' ? e.constructor?.name ?? 'Object' : typeof e;
    const evalue = inspect(e);
    return { ename: `Thrown ${ename}`, evalue, traceback: [`Uncaught ${evalue}`] };
  }
  const ename = String(e.name ?? 'Error');
  const evalue = String(e.message ?? '');
  // IPython prints these as one line: the user's mistake (or the command's exit status), not the kernel's stack.
  if (ONE_LINE.has(ename)) return { ename, evalue, traceback: [`${ename}: ${evalue}`] };
  const head = e.line !== undefined && e.name === 'SyntaxError' ? `${ename}: ${evalue}` : `${ename}: ${evalue}`;
  return { ename, evalue, traceback: [head, ...frames(String(e.stack ?? ''))] };
}
