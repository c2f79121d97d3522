// Error -> Jupyter `error` content, with stack frames mapped back to cell lines.
import { describeThrown, safeInspect } from '../../extension/engine/describe';
import { alignColumn, mapPosition } from '../typescript/sourcemap';
import { compiledCell } from './cell-sources';

export interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
}

const ONE_LINE = new Set(['UsageError', 'CalledProcessError', 'TypeScriptError']);
function mapFrame(file: string, line: number, col: number): string {
  const c = compiledCell(file);
  if (!c) return `${file}:${line}:${col}`;
  const at = (cellLine: number, cellCol: number) => `${file.replace(/\.ts$/, '')}, line ${cellLine}, column ${cellCol}`;
  if (c.cell !== undefined && c.body !== undefined) {
    // generated -> rewritten body (the emit's source map, if emitted) -> the cell (line for line, columns aligned)
    const pos = c.mappings !== undefined ? mapPosition(c.mappings, line - 1, col - 1) : [line - 1, col - 1];
    const cellLines = c.cell.split('\n');
    if (pos && pos[0] < cellLines.length) {
      const bodyLine = c.body.split('\n')[pos[0]] ?? '';
      const [text, shift] = pos[0] === 0 ? [bodyLine.slice(c.firstLineShift), c.firstLineShift] : [bodyLine, 0];
      return at(pos[0] + 1, alignColumn(text, cellLines[pos[0]], Math.max(0, pos[1] - shift)) + 1);
    }
  }
  const src = c.lines[line - 1];
  const cellLine = src === undefined || src < 0 ? line : src + 1;
  return at(cellLine, cellLine === 1 ? Math.max(1, col - c.firstLineShift) : col);
}

/** Keeps user frames and library frames; drops the kernel's and Node's internals. */
function frames(stack: string): string[] {
  return stack
    .split('\n')
    .filter((l) => /^\s+at /.test(l))
    .filter((l) => !/node:(vm|internal|async_hooks)|[\\/]dist[\\/]kernel[\\/]|flowbook-runner|new Promise \(<anonymous>\)/.test(l))
    .map((l) => l.replace(/(cell-[\d-]+\.ts):(\d+):(\d+)/g, (_, f, ln, c) => mapFrame(f, +ln, +c)));
}

/** Total: whatever was thrown (a Proxy, a throwing getter or toString), this returns content and never throws. */
export function errorContent(err: unknown): ErrorContent {
  const d = describeThrown(err);
  // `throw 42`, `throw { code: 1 }`, `Promise.reject('x')`: not an Error, so no stack.
  if (!d.isError) {
    const evalue = safeInspect(err); // as IPython's repr: a thrown string shows its quotes
    return { ename: `Thrown ${d.name}`, evalue, traceback: [`Uncaught ${evalue}`] };
  }
  // IPython prints these as one line: the user's mistake (or the command's exit status), not the kernel's stack.
  if (ONE_LINE.has(d.name)) return { ename: d.name, evalue: d.message, traceback: [`${d.name}: ${d.message}`] };
  const traceback = [`${d.name}: ${d.message}`];
  try {
    traceback.push(...frames(d.stack ?? ''));
  } catch {
    // a frame we cannot map is left out; the error itself still reaches the cell
  }
  return { ename: d.name, evalue: d.message, traceback };
}
