// The notebooks under notebooks/ executed headless on the flowbook kernel (nbconvert --execute), outputs checked.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { jupyterEnv, type JupyterEnv } from '../kernel/helpers';
import { codeCells, displays, executeNotebook, expectPlot, outputsOf, stdout, text, VEGALITE, type Cell } from './run-notebook';

let jenv: JupyterEnv;
beforeAll(() => { jenv = jupyterEnv(); });
afterAll(() => jenv?.cleanup());

interface GanttRow { name: string; state: string; start: number; end: number; order: number | null; parent: string | null; backend: string }
const ganttRows = (cell: Cell): GanttRow[] => {
  const plots = displays(cell, VEGALITE);
  expect(plots.length).toBeGreaterThanOrEqual(1);
  const spec = plots[plots.length - 1].data![VEGALITE] as { data: { values: GanttRow[] } };
  return spec.data.values;
};
/** The live table's summary line: every task done, none running, failed or pending. */
const expectAllDone = (cell: Cell, tasks?: number) => {
  const tables = outputsOf(cell, 'display_data').map((o) => text(o.data?.['text/plain']));
  const summary = tables.map((t) => /(\d+) tasks, (\d+) running, (\d+) done, (\d+) failed, (\d+) cancelled, (\d+) pending/.exec(t)).find(Boolean);
  expect(summary).toBeTruthy();
  const [, total, running, done, failed, cancelled, pending] = summary!.map(Number);
  expect({ running, failed, cancelled, pending }).toEqual({ running: 0, failed: 0, cancelled: 0, pending: 0 });
  expect(done).toBe(total);
  if (tasks !== undefined) expect(total).toBe(tasks);
};
const magicCells = (cells: Cell[], magic: string) => codeCells(cells).filter((c) => c.source.startsWith(magic));
const noErrors = (cells: Cell[]) => {
  const errors = codeCells(cells).flatMap((c) => outputsOf(c, 'error').map((o) => `${o.ename}: ${o.evalue}`));
  expect(errors).toEqual([]);
};

describe('01-asyncflow-demo', () => {
  let cells: Cell[];
  beforeAll(() => { cells = executeNotebook('01-asyncflow-demo.ipynb', jenv); });

  test('runs without errors and prints each workflow start, finish and the total', () => {
    noErrors(cells);
    for (const cell of codeCells(cells).slice(0, 2)) {
      const out = stdout(cell);
      for (let i = 0; i < 5; i++) {
        expect(out).toMatch(new RegExp(`Starting workflow ${i} at \\d+`));
        expect(out).toMatch(new RegExp(`Workflow ${i} completed at \\d+`));
      }
      expect(out).toMatch(/Total time running asynchronously is: \d/);
    }
  });

  test('%%flow shows a live table and a Gantt chart; every task DONE, completion order follows dependencies', () => {
    const flows = magicCells(cells, '%%flow');
    expect(flows).toHaveLength(2);
    for (const cell of flows) {
      expectAllDone(cell, 15);
      expectPlot(displays(cell, VEGALITE)[0]);
      expect(displays(cell, 'image/svg+xml').length).toBeGreaterThanOrEqual(1);
      const rows = ganttRows(cell).filter((r) => /^task[123]$/.test(r.name));
      expect(rows).toHaveLength(15);
      expect(rows.every((r) => r.state === 'DONE')).toBe(true);
      const byWorkflow = new Map<string, GanttRow[]>();
      for (const r of rows) byWorkflow.set(r.parent!, [...(byWorkflow.get(r.parent!) ?? []), r]);
      expect(byWorkflow.size).toBe(5);
      for (const wf of byWorkflow.values()) {
        const get = (n: string) => wf.find((r) => r.name === n)!;
        const [t1, t2, t3] = [get('task1'), get('task2'), get('task3')];
        expect(t3.order!).toBeGreaterThan(Math.max(t1.order!, t2.order!));
        expect(t3.start).toBeGreaterThanOrEqual(Math.max(t1.end, t2.end));
      }
      expect(outputsOf(cell, 'execute_result')).toHaveLength(1);
    }
    const backends = (cell: Cell) => new Set(ganttRows(cell).filter((r) => r.backend !== 'block').map((r) => r.backend));
    expect(backends(flows[0])).toEqual(new Set(['async']));
    expect(backends(flows[1])).toEqual(new Set(['threads']));
  });

  test('the backend is swapped in one line and shown by %backend', () => {
    const swaps = codeCells(cells).filter((c) => c.source.startsWith('%backend'));
    expect(stdout(swaps[0])).toMatch(/threads/);
    expect(stdout(swaps[1])).toMatch(/Current backend: async/);
  });
});

describe('02-compare-backends', () => {
  let cells: Cell[];
  beforeAll(() => { cells = executeNotebook('02-compare-backends.ipynb', jenv); });

  test('every %%compare cell: all tasks DONE, a bar chart with SVG, a summary with speed-ups', () => {
    noErrors(cells);
    const compares = magicCells(cells, '%%compare');
    expect(compares).toHaveLength(4);
    for (const cell of compares) {
      expectAllDone(cell);
      const bars = displays(cell, VEGALITE);
      expect(bars).toHaveLength(1);
      expectPlot(bars[0]);
      const summary = outputsOf(cell, 'display_data').map((o) => text(o.data?.['text/plain'])).find((t) => t.includes('speed-up'));
      expect(summary).toBeDefined();
      for (const b of ['async', 'processes']) expect(summary).toMatch(new RegExp(`^${b}\\s+\\d+`, 'm'));
    }
    const last = compares[3];
    const lastSummary = outputsOf(last, 'display_data').map((o) => text(o.data?.['text/plain'])).find((t) => t.includes('speed-up'))!;
    // CI brings SLURM up, so the optional backend must really run there.
    if (process.env.FLOWBOOK_REQUIRE_REAL) expect(lastSummary).toMatch(/^slurm\s+2\s/m);
  });
});

describe('03-async-io', () => {
  let cells: Cell[];
  beforeAll(() => { cells = executeNotebook('03-async-io.ipynb', jenv, { QUICK: '1' }); });

  test('measures 4 settings x 3 ways and plots throughput and latency', () => {
    noErrors(cells);
    const all = codeCells(cells);
    const lines = all.map(stdout).join('').split('\n').filter((l) => /req\/s/.test(l));
    expect(lines).toHaveLength(12);
    const line = (setting: string, mode: string) => lines.find((l) => l.startsWith(setting) && l.includes(` ${mode} `))!;
    const unfinished = (l: string) => Number(/unfinished (\d+)/.exec(l)![1]);
    // With a 1 s I/O delay, gather keeps every request in flight; one at a time cannot finish the window.
    expect(unfinished(line('100/s, 1 s', 'gather'))).toBe(0);
    expect(unfinished(line('100/s, 1 s', 'sequential'))).toBeGreaterThan(100);
    // No request starts before its arrival time (the timer is re-checked against the clock).
    for (const l of lines) expect(Number(/early (\d+)/.exec(l)![1])).toBe(0);
    const plots = all.flatMap((c) => displays(c, VEGALITE));
    expect(plots).toHaveLength(2);
    // A log scale has no zero: bars from zero would be empty, so the log chart must not use bars.
    for (const p of plots) {
      const spec = p.data![VEGALITE] as { mark: unknown; encoding: { y: { scale?: { type?: string } } } };
      if (spec.encoding.y.scale?.type === 'log') expect(JSON.stringify(spec.mark)).not.toMatch(/bar/);
    }
    plots.forEach(expectPlot);
  });
});
