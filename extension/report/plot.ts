// Plot bundles for notebooks: Vega-Lite v5 (JupyterLab), SVG (classic notebook), PNG (nbconvert HTML, untrusted
// notebooks, anything else) and a one-line text summary.
import { richBundle, type MimeBundle } from '../display';
import type { TaskEvent } from '../engine/events';
import { TaskTimeline, type TaskRow } from './timeline';
import { barsSpec, ganttSpec, streamSpec, type BarsOptions, type GanttOptions, type VegaLiteSpec } from './specs';
import { renderPng, renderSvg } from './svg';
import { summarize, type RunSample } from './stats';
import { summaryTable } from './compare-table';
import { fmtDuration, plural } from './format';

export const VEGALITE_MIME = 'application/vnd.vegalite.v5+json';

export type GanttInput = TaskTimeline | readonly TaskEvent[] | readonly TaskRow[];

/** The whole bundle for one spec; `svg`/`png` come back too, for saving to files. */
export async function chartBundle(spec: VegaLiteSpec, text: string): Promise<MimeBundle> {
  const svg = await renderSvg(spec);
  const png = renderPng(svg).toString('base64');
  return richBundle({ [VEGALITE_MIME]: spec, 'image/svg+xml': svg, 'image/png': png, 'text/plain': text });
}

interface Timed {
  rows: TaskRow[];
  wall?: number;
  firstStart?: number;
}

function toRows(input: GanttInput): Timed {
  if (input instanceof TaskTimeline) return { rows: input.rows, wall: input.wall, firstStart: input.firstStart };
  const first = input[0] as Partial<TaskEvent> | undefined;
  if (first && 'time' in first) return toRows(new TaskTimeline(input as readonly TaskEvent[]));
  const rows = input.slice() as TaskRow[];
  let firstStart: number | undefined;
  for (const r of rows) if (r.kind !== 'block' && r.start !== undefined && !(r.start >= (firstStart ?? Infinity))) firstStart = r.start;
  return { rows, firstStart };
}

/** e.g. "Gantt: 15 tasks, 14 done, 1 failed, wall 123.4 ms (first task started at 2.0 ms)"; blocks are not tasks. */
export function ganttSummary(rows: readonly TaskRow[], wall?: number, firstStart?: number, what = 'Gantt'): string {
  const tasks = rows.filter((r) => r.kind !== 'block');
  const by = (state: string) => tasks.filter((r) => r.state === state).length;
  const parts = [plural(tasks.length, 'task'), `${by('DONE')} done`];
  for (const s of ['FAILED', 'CANCELLED', 'RUNNING', 'PENDING']) if (by(s)) parts.push(`${by(s)} ${s.toLowerCase()}`);
  const never = tasks.filter((r) => r.start === undefined && r.end !== undefined).length;
  if (never) parts.push(`${never} never started`);
  let hi = 0; // a loop, not Math.max(...xs): spreading 100k+ rows overflows the stack
  for (const r of rows) hi = Math.max(hi, r.end ?? r.start ?? r.created);
  const first = firstStart === undefined ? '' : ` (first task started at ${fmtDuration(firstStart)})`;
  return `${what}: ${parts.join(', ')}, wall ${fmtDuration(wall ?? hi)}${first}`;
}

export type PlotView = 'gantt' | 'stream' | 'auto';

export interface PlotOptions extends GanttOptions {
  /** 'auto' (default): the Gantt up to STREAM_ABOVE tasks, the task stream above. */
  view?: PlotView;
}

/** Above this many tasks a row per task is a striped texture: one lane per worker slot reads better. */
export const STREAM_ABOVE = 100;

export function chooseView(rows: readonly TaskRow[], view: PlotView = 'auto'): 'gantt' | 'stream' {
  if (view !== 'auto') return view;
  let tasks = 0;
  for (const r of rows) if (r.kind !== 'block') tasks++;
  return tasks > STREAM_ABOVE ? 'stream' : 'gantt';
}

/** The spec (Gantt or task stream) and text summary for timing input; shared by gantt() and saved charts. */
export function timingSpec(input: GanttInput, opts: PlotOptions = {}): { spec: VegaLiteSpec; text: string } {
  const { rows, wall, firstStart } = toRows(input);
  const view = chooseView(rows, opts.view);
  const o = { wall, ...opts };
  const spec = view === 'stream' ? streamSpec(rows, o) : ganttSpec(rows, o);
  return { spec, text: ganttSummary(rows, o.wall, firstStart, view === 'stream' ? 'Task stream' : 'Gantt') };
}

/** Gantt chart (or, above STREAM_ABOVE tasks, the task stream) of tasks from raw events, a TaskTimeline or its rows. */
export async function gantt(input: GanttInput, opts: PlotOptions = {}): Promise<MimeBundle> {
  const { spec, text } = timingSpec(input, opts);
  return chartBundle(spec, text);
}

/** Task-stream view: one lane per worker slot. */
export function stream(input: GanttInput, opts: GanttOptions = {}): Promise<MimeBundle> {
  return gantt(input, { ...opts, view: 'stream' });
}

/** Mean wall time per backend (and per case), min–max whiskers and n when runs repeat. */
export async function bars(samples: readonly RunSample[], opts: BarsOptions = {}): Promise<MimeBundle> {
  return chartBundle(barsSpec(samples, opts), barsText(samples));
}

export function barsText(samples: readonly RunSample[]): string {
  const text = summarize(samples).map((s) => {
    const spread = s.runs > 1 ? ` (min ${fmtDuration(s.min)}, max ${fmtDuration(s.max)}, n=${s.runs})` : ' (n=1)';
    return `${s.case ? s.case + '/' : ''}${s.backend} ${fmtDuration(s.mean)}${spread}`;
  });
  return `Bars: ${text.join(', ')}`;
}

/** Any Vega-Lite v5 spec as a plot bundle (spec, SVG, PNG, text), for charts the helpers above don't draw. */
export async function vegalite(spec: VegaLiteSpec, text?: string): Promise<MimeBundle> {
  const withSchema = { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', ...spec };
  return chartBundle(withSchema, text ?? `Vega-Lite chart${typeof spec.title === 'string' ? `: ${spec.title}` : ''}`);
}

/** What the kernel preloads into the user's scope as `plot`. */
export const plot = { gantt, stream, bars, summaryTable, vegalite };
