// Vega-Lite v5 specs for the Gantt chart and the backend comparison. Deterministic: same input, same JSON.
import type { TaskRow } from './timeline';
import { STATE_COLORS, STATE_ORDER } from './format';
import { summarize, type RunSample } from './stats';

export const VEGALITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';
export type VegaLiteSpec = Record<string, unknown>;

export interface GanttOptions {
  title?: string;
  width?: number;
  /** End for bars still open (running / pending); default: the latest time in the rows. */
  wall?: number;
  /** Above this many tasks the y labels are hidden (legibility and render time). Default 60. */
  maxLabels?: number;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** y labels must be unique: repeated names get " #2", " #3" … */
function uniqueLabels(rows: readonly TaskRow[]): string[] {
  const seen = new Map<string, number>();
  return rows.map((r) => {
    const n = (seen.get(r.name) ?? 0) + 1;
    seen.set(r.name, n);
    return n === 1 ? r.name : `${r.name} #${n}`;
  });
}

export function ganttSpec(rows: readonly TaskRow[], opts: GanttOptions = {}): VegaLiteSpec {
  const sorted = rows
    .map((r, i) => ({ r, i, s: r.start ?? r.created }))
    .sort((a, b) => a.s - b.s || a.i - b.i)
    .map((x) => x.r);
  const wall = opts.wall ?? rows.reduce((m, r) => Math.max(m, r.end ?? r.start ?? r.created), 0);
  const labels = uniqueLabels(sorted);
  const values = sorted.map((r, i) => {
    const start = r.start ?? r.created;
    const end = r.end ?? wall;
    return {
      task: labels[i], name: r.name, backend: r.backend, state: r.state, start: round(start), end: round(end),
      duration: round(end - start), attempt: r.attempts, order: r.order ?? null, parent: r.parent ?? null,
    };
  });
  const showLabels = rows.length <= (opts.maxLabels ?? 60);
  return {
    $schema: VEGALITE_SCHEMA,
    ...(opts.title ? { title: opts.title } : {}),
    width: opts.width ?? 600,
    height: showLabels ? { step: 16 } : 400,
    data: { values },
    mark: { type: 'bar', ...(showLabels ? {} : { binSpacing: 0 }) },
    encoding: {
      y: {
        field: 'task',
        type: 'nominal',
        sort: null, // rows are already ordered by start
        title: showLabels ? 'task' : `tasks (${rows.length}, ordered by start)`,
        axis: showLabels ? { labelLimit: 200 } : { labels: false, ticks: false, domain: false },
      },
      x: { field: 'start', type: 'quantitative', title: 'time since start (ms)' },
      x2: { field: 'end' },
      color: {
        field: 'state',
        type: 'nominal',
        scale: { domain: [...STATE_ORDER], range: STATE_ORDER.map((s) => STATE_COLORS[s]) },
        legend: { title: 'state' },
      },
      tooltip: [
        { field: 'name', type: 'nominal' },
        { field: 'backend', type: 'nominal' },
        { field: 'state', type: 'nominal' },
        { field: 'duration', type: 'quantitative', title: 'duration (ms)', format: '.1f' },
        { field: 'attempt', type: 'quantitative' },
        { field: 'order', type: 'quantitative', title: 'completion order' },
      ],
    },
  };
}

export interface BarsOptions {
  title?: string;
  width?: number;
}

/** Mean wall time per backend (grouped per case when there are several), with mean ± std rules for repeats. */
export function barsSpec(samples: readonly RunSample[], opts: BarsOptions = {}): VegaLiteSpec {
  const stats = summarize(samples);
  const backends = [...new Set(stats.map((s) => s.backend))];
  const cases = [...new Set(stats.map((s) => s.case))];
  const grouped = cases.length > 1;
  const values = stats.map((s) => ({
    case: s.case, backend: s.backend, runs: s.runs, mean: round(s.mean), std: round(s.std),
    lo: round(s.mean - s.std), hi: round(s.mean + s.std),
  }));
  const x = grouped
    ? { field: 'case', type: 'nominal', sort: cases, title: 'case' }
    : { field: 'backend', type: 'nominal', sort: backends, title: 'backend' };
  const xOffset = grouped ? { xOffset: { field: 'backend', type: 'nominal', sort: backends } } : {};
  const color = { field: 'backend', type: 'nominal', scale: { domain: backends }, legend: grouped ? {} : null };
  const layers: VegaLiteSpec[] = [
    {
      mark: 'bar',
      encoding: {
        y: { field: 'mean', type: 'quantitative', title: 'wall time (ms)' },
        color,
        tooltip: [
          ...(grouped ? [{ field: 'case', type: 'nominal' }] : []),
          { field: 'backend', type: 'nominal' },
          { field: 'runs', type: 'quantitative' },
          { field: 'mean', type: 'quantitative', title: 'mean (ms)', format: '.1f' },
          { field: 'std', type: 'quantitative', title: 'std (ms)', format: '.1f' },
        ],
      },
    },
  ];
  if (stats.some((s) => s.runs > 1)) {
    layers.push({
      transform: [{ filter: 'datum.runs > 1' }],
      mark: { type: 'rule', color: 'black' },
      encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } },
    });
  }
  return {
    $schema: VEGALITE_SCHEMA,
    ...(opts.title ? { title: opts.title } : {}),
    width: opts.width ?? (grouped ? 400 : Math.max(160, 60 * backends.length)),
    height: 240,
    data: { values },
    encoding: { x, ...xOffset },
    layer: layers,
  };
}
