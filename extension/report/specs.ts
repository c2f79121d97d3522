// Vega-Lite v5 specs: the Gantt (grouped by workflow), the task stream (one lane per worker slot) and the backend
// comparison. Deterministic: same input, same JSON. Times on the axis are in the unit that suits the span.
import type { TaskRow } from './timeline';
import { STATE_COLORS, STATE_ORDER, fmtDuration, timeUnit } from './format';
import { summarize, type RunSample } from './stats';
import { assignLanes } from './lanes';

export const VEGALITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';
export type VegaLiteSpec = Record<string, unknown>;

export interface GanttOptions {
  title?: string;
  /** A number of pixels; default 'container' (the output area's width). */
  width?: number | 'container';
  /** End for bars still open (running / pending); default: the latest time in the rows. */
  wall?: number;
  /** Above this many rows the y labels are hidden (legibility and render time). Default 60. */
  maxLabels?: number;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** `name#index`: the table's `#` column; workflows (blocks) are numbered among blocks. */
export function rowLabel(r: TaskRow): string {
  return r.kind === 'block' ? `▸ ${r.name}#${r.index}` : `${r.name}#${r.index}`;
}

/** Blocks in start order, each followed by its tasks; tasks outside any block come last. */
function groupedOrder(rows: readonly TaskRow[]): TaskRow[] {
  const byStart = (a: TaskRow, b: TaskRow) => (a.start ?? a.end ?? a.created) - (b.start ?? b.end ?? b.created) || a.index - b.index;
  const blocks = rows.filter((r) => r.kind === 'block').sort(byStart);
  const ids = new Set(blocks.map((b) => b.id));
  const children = new Map<string, TaskRow[]>();
  const loose: TaskRow[] = [];
  for (const r of rows) {
    if (r.kind === 'block') continue; // nested workflows are listed as workflows of their own
    if (r.parent !== undefined && ids.has(r.parent)) {
      let list = children.get(r.parent);
      if (!list) children.set(r.parent, (list = []));
      list.push(r);
    } else loose.push(r);
  }
  const out: TaskRow[] = [];
  for (const b of blocks) out.push(b, ...(children.get(b.id) ?? []).sort(byStart));
  return [...out, ...loose.sort(byStart)];
}

function datum(r: TaskRow, wall: number, perMs: number, extra: Record<string, unknown> = {}) {
  const started = r.start !== undefined;
  const start = r.start ?? r.end ?? r.created;
  const end = started ? (r.end ?? wall) : start;
  return {
    label: rowLabel(r), name: r.name, kind: r.kind === 'block' ? 'workflow' : 'task', backend: r.backend, state: r.state,
    worker: r.slot ? `${r.slot.host ? `${r.slot.host} ` : ''}${r.slot.worker}` : '',
    start: round(start * perMs), end: round(end * perMs), started,
    startText: started ? fmtDuration(start) : 'never started', endText: fmtDuration(r.end),
    duration: r.duration === undefined ? (started ? 'running' : '') : fmtDuration(r.duration),
    error: r.reason ?? r.error?.split('\n')[0] ?? '', attempt: r.attempts, order: r.order ?? null, parent: r.parent ?? null,
    ...extra,
  };
}

const TOOLTIP = [
  { field: 'label', title: 'task' },
  { field: 'state' },
  { field: 'startText', title: 'start' },
  { field: 'endText', title: 'end' },
  { field: 'duration' },
  { field: 'backend' },
  { field: 'worker' },
  { field: 'error' },
];

const colour = {
  field: 'state', type: 'nominal',
  scale: { domain: [...STATE_ORDER], range: STATE_ORDER.map((s) => STATE_COLORS[s]) },
  legend: { title: 'state' },
};

/** Bars for tasks that ran (failed ones outlined), and markers at the settle time of those that never started. */
function layers(y: Record<string, unknown>): VegaLiteSpec[] {
  return [
    {
      transform: [{ filter: 'datum.started' }],
      mark: { type: 'bar', tooltip: true, minWidth: 1 } as Record<string, unknown>,
      encoding: {
        y, x: { field: 'start', type: 'quantitative' }, x2: { field: 'end' }, color: colour,
        opacity: { condition: { test: "datum.kind === 'workflow'", value: 0.45 }, value: 1 },
        stroke: { condition: { test: "datum.state === 'FAILED'", value: '#000' }, value: null },
        strokeWidth: { condition: { test: "datum.state === 'FAILED'", value: 1.5 }, value: 0 },
        tooltip: TOOLTIP,
      },
    },
    {
      // Second cue for failure and "never started": a shape, not only a colour.
      transform: [{ filter: "!datum.started || datum.state === 'FAILED'" }],
      mark: { type: 'point', filled: true, size: 60, tooltip: true } as Record<string, unknown>,
      encoding: {
        y, x: { field: 'end', type: 'quantitative' }, color: colour,
        shape: {
          field: 'marker', type: 'nominal',
          scale: { domain: ['failed', 'never started'], range: ['cross', 'diamond'] }, legend: { title: 'marker' },
        },
        stroke: { value: '#000' }, strokeWidth: { value: 0.5 },
        tooltip: TOOLTIP,
      },
    },
  ];
}

function frame(title: string | undefined, width: GanttOptions['width'], height: unknown, values: unknown[], layer: VegaLiteSpec[], unit: string, what: string): VegaLiteSpec {
  return {
    $schema: VEGALITE_SCHEMA,
    ...(title ? { title } : {}),
    width: width ?? 'container',
    height,
    data: { values },
    encoding: { x: { title: `${what} since the cell started (${unit})` } },
    layer,
    config: { axis: { labelFontSize: 11 }, legend: { orient: 'bottom' } },
  };
}

function wallOf(rows: readonly TaskRow[], wall?: number): number {
  return wall ?? rows.reduce((m, r) => Math.max(m, r.end ?? r.start ?? r.created), 0);
}

/** Gantt: one row per task (and per workflow, its span above its tasks), labelled as in the table. */
export function ganttSpec(rows: readonly TaskRow[], opts: GanttOptions = {}): VegaLiteSpec {
  const ordered = groupedOrder(rows);
  const wall = wallOf(rows, opts.wall);
  const { unit, perMs } = timeUnit(wall);
  const values = ordered.map((r) => ({ ...datum(r, wall, perMs), marker: r.start === undefined ? 'never started' : 'failed' }));
  const showLabels = ordered.length <= (opts.maxLabels ?? 60);
  const y = {
    field: 'label', type: 'nominal', sort: null, // already grouped and ordered
    title: showLabels ? null : `${ordered.length} rows, grouped by workflow, ordered by start`,
    axis: showLabels ? { labelLimit: 220 } : { labels: false, ticks: false, domain: false },
  };
  return frame(opts.title, opts.width, showLabels ? { step: 16 } : 400, values, layers(y), unit, 'time');
}

/** Task stream (as in Dask's dashboard): one lane per worker slot, tasks as bars along it. */
export function streamSpec(rows: readonly TaskRow[], opts: GanttOptions = {}): VegaLiteSpec {
  const wall = wallOf(rows, opts.wall);
  const { unit, perMs } = timeUnit(wall);
  const lanes = assignLanes(rows, wall);
  const values: unknown[] = [];
  for (const lane of lanes) for (const r of lane.rows) values.push({ ...datum(r, wall, perMs), lane: lane.name, marker: 'failed' });
  const never = rows.filter((r) => r.kind !== 'block' && r.start === undefined && r.end !== undefined);
  for (const r of never) values.push({ ...datum(r, wall, perMs), lane: 'not started', marker: 'never started' });
  const names = [...lanes.map((l) => l.name), ...(never.length ? ['not started'] : [])];
  const y = { field: 'lane', type: 'nominal', sort: names, title: null, axis: names.length > 40 ? { labels: false, ticks: false } : {} };
  const height = names.length > 40 ? 400 : { step: Math.max(12, Math.min(28, Math.floor(400 / Math.max(1, names.length)))) };
  return frame(opts.title, opts.width, height, values, layers(y), unit, 'time');
}

export interface BarsOptions {
  title?: string;
  width?: number | 'container';
}

/** Mean wall time per backend (grouped per case when there are several); whiskers span min–max, n is shown. */
export function barsSpec(samples: readonly RunSample[], opts: BarsOptions = {}): VegaLiteSpec {
  const stats = summarize(samples);
  const backends = [...new Set(stats.map((s) => s.backend))];
  const cases = [...new Set(stats.map((s) => s.case))];
  const grouped = cases.length > 1;
  const values = stats.map((s) => ({
    case: s.case, backend: s.backend, runs: s.runs, mean: round(s.mean), std: round(s.std),
    min: round(s.min), max: round(s.max), n: `n=${s.runs}`,
  }));
  const x = grouped
    ? { field: 'case', type: 'nominal', sort: cases, title: 'case' }
    : { field: 'backend', type: 'nominal', sort: backends, title: 'backend' };
  const xOffset = grouped ? { xOffset: { field: 'backend', type: 'nominal', sort: backends } } : {};
  const color = { field: 'backend', type: 'nominal', scale: { domain: backends, scheme: 'tableau10' }, legend: grouped ? {} : null };
  const tooltip = [
    ...(grouped ? [{ field: 'case', type: 'nominal' }] : []),
    { field: 'backend', type: 'nominal' },
    { field: 'runs', type: 'quantitative', title: 'n' },
    { field: 'mean', type: 'quantitative', title: 'mean (ms)', format: '.1f' },
    { field: 'min', type: 'quantitative', title: 'min (ms)', format: '.1f' },
    { field: 'max', type: 'quantitative', title: 'max (ms)', format: '.1f' },
    { field: 'std', type: 'quantitative', title: 'std (ms)', format: '.1f' },
  ];
  const layer: VegaLiteSpec[] = [
    { mark: { type: 'bar', tooltip: true }, encoding: { y: { field: 'mean', type: 'quantitative', title: 'mean wall time (ms)' }, color, tooltip } },
    {
      transform: [{ filter: 'datum.runs > 1' }],
      mark: { type: 'rule', color: 'black' },
      encoding: { y: { field: 'min', type: 'quantitative' }, y2: { field: 'max' } },
    },
    {
      mark: { type: 'text', dy: -8, fontSize: 10 },
      encoding: { y: { field: 'max', type: 'quantitative' }, text: { field: 'n' } },
    },
  ];
  return {
    $schema: VEGALITE_SCHEMA,
    title: opts.title ?? 'mean wall time per backend (whiskers: min–max)',
    width: opts.width ?? (grouped ? 400 : Math.max(160, 60 * backends.length)),
    height: 240,
    data: { values },
    encoding: { x, ...xOffset },
    layer,
  };
}
