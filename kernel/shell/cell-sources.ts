// The compiled cells by file name (`cell-3.ts`): errors.ts maps their stack frames back to the cell's lines, and
// a function shipped to a worker is found here by its text, so the worker can name the same file and position.
import type { CompiledCell } from '../typescript/transpile';
import type { SourceOrigin } from '../../extension/host';

const cells = new Map<string, CompiledCell>();
const MAX_CELLS = 500;

export function rememberCell(filename: string, c: CompiledCell): void {
  cells.delete(filename); // a re-run under the same name (magics' evaluate) counts as the newest
  cells.set(filename, c);
  if (cells.size > MAX_CELLS) cells.delete(cells.keys().next().value!);
}

export function compiledCell(filename: string): CompiledCell | undefined {
  return cells.get(filename);
}

/**
 * Where `text` (a function's `toString()`, an exact slice of the script vm ran) starts in the generated JS of
 * the newest cell that holds it. Positions are the generated ones, as V8 reports them in the cell's own stack
 * frames, so errors.ts maps a worker's frames exactly as an in-loop task's.
 */
export function locateInCells(text: string): SourceOrigin | null {
  if (!text) return null;
  const names = [...cells.keys()];
  for (let i = names.length - 1; i >= 0; i--) {
    const js = cells.get(names[i])!.js;
    const at = js.indexOf(text);
    if (at < 0) continue;
    const before = js.slice(0, at);
    const line = before.split('\n').length - 1;
    return { file: names[i], line, column: at - (before.lastIndexOf('\n') + 1) };
  }
  return null;
}
