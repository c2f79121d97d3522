// Executes a notebook headless with nbconvert on the flowbook kernel and returns the executed JSON.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { PNG } from 'pngjs';
import { PYTHON, ROOT, type JupyterEnv } from '../kernel/helpers';

export interface Output {
  output_type: string;
  name?: string;
  text?: string;
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
}
export interface Cell {
  cell_type: string;
  source: string;
  outputs?: Output[];
}

export function executeNotebook(name: string, jenv: JupyterEnv, extraEnv: Record<string, string> = {}): Cell[] {
  const out = path.join(jenv.dir, 'out');
  const r = spawnSync(PYTHON, ['-m', 'jupyter', 'nbconvert', '--to', 'notebook', '--execute',
    '--ExecutePreprocessor.kernel_name=flowbook', '--ExecutePreprocessor.timeout=300',
    '--output-dir', out, path.join(ROOT, 'notebooks', name)], { env: { ...jenv.env, ...extraEnv }, encoding: 'utf8', cwd: jenv.dir });
  if (r.status !== 0) throw new Error(`nbconvert failed on ${name}:\n${r.stderr.slice(-4000)}`);
  const nb = JSON.parse(fs.readFileSync(path.join(out, name), 'utf8')) as { cells: Cell[] };
  return nb.cells.map((c) => ({ ...c, source: Array.isArray(c.source) ? c.source.join('') : c.source }));
}

export const text = (v: unknown): string => (Array.isArray(v) ? v.join('') : String(v ?? ''));
export const codeCells = (cells: Cell[]): Cell[] => cells.filter((c) => c.cell_type === 'code');
export const outputsOf = (cell: Cell, type: string): Output[] => (cell.outputs ?? []).filter((o) => o.output_type === type);
export const stdout = (cell: Cell): string => outputsOf(cell, 'stream').filter((o) => o.name === 'stdout').map((o) => text(o.text)).join('');
/** display_data bundles that carry this mimetype. */
export const displays = (cell: Cell, mime: string): Output[] => outputsOf(cell, 'display_data').filter((o) => o.data && mime in o.data);

export const VEGALITE = 'application/vnd.vegalite.v5+json';

/** A plot output has the spec, a real SVG and a text summary. */
export function expectPlot(o: Output): void {
  const svg = text(o.data!['image/svg+xml']);
  if (!svg.includes('<svg')) throw new Error('plot without an SVG rendering');
  if (!text(o.data!['text/plain'])) throw new Error('plot without text/plain');
  // The PNG is what nbconvert's HTML and untrusted notebooks show: it must be there and have coloured marks.
  const png = PNG.sync.read(Buffer.from(text(o.data!['image/png']), 'base64'));
  let coloured = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    const [r, g, b] = [png.data[i], png.data[i + 1], png.data[i + 2]];
    if (Math.max(r, g, b) - Math.min(r, g, b) > 60) coloured++;
  }
  if (coloured < 200) throw new Error(`plot PNG has only ${coloured} coloured pixels`);
}
