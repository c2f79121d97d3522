// Plot bundles for notebooks: the Vega-Lite spec, a server-side SVG and a one-line text summary.
import { richBundle, type MimeBundle } from '../display';
import type { TaskEvent } from '../engine/events';
import { TaskTimeline, type TaskRow } from './timeline';
import { barsSpec, ganttSpec, type BarsOptions, type GanttOptions, type VegaLiteSpec } from './specs';
import { renderSvg } from './svg';
import { summarize, type RunSample } from './stats';
import { summaryTable } from './compare-table';
import { fmtMs } from './format';

export const VEGALITE_MIME = 'application/vnd.vegalite.v5+json';

export type GanttInput = TaskTimeline | readonly TaskEvent[] | readonly TaskRow[];

async function bundle(spec: VegaLiteSpec, text: string): Promise<MimeBundle> {
  return richBundle({ [VEGALITE_MIME]: spec, 'image/svg+xml': await renderSvg(spec), 'text/plain': text });
}

function toRows(input: GanttInput): { rows: TaskRow[]; wall?: number } {
  if (input instanceof TaskTimeline) return { rows: input.rows, wall: input.wall };
  const first = input[0] as Partial<TaskEvent> | undefined;
  if (first && 'time' in first) {
    const tl = new TaskTimeline(input as readonly TaskEvent[]);
    return { rows: tl.rows, wall: tl.wall };
  }
  return { rows: input.slice() as TaskRow[] };
}

/** e.g. "Gantt: 15 tasks, 14 done, 1 failed, wall 123.4 ms"; blocks are not counted as tasks. */
export function ganttSummary(rows: readonly TaskRow[]): string {
  const tasks = rows.filter((r) => r.kind !== 'block');
  const by = (state: string) => tasks.filter((r) => r.state === state).length;
  const parts = [`${tasks.length} tasks`, `${by('DONE')} done`];
  for (const s of ['FAILED', 'CANCELLED', 'RUNNING', 'PENDING']) if (by(s)) parts.push(`${by(s)} ${s.toLowerCase()}`);
  let lo = Infinity;
  let hi = -Infinity; // loops, not Math.max(...xs): spreading 100k+ rows overflows the stack
  for (const r of rows) {
    lo = Math.min(lo, r.start ?? r.created);
    hi = Math.max(hi, r.end ?? r.start ?? r.created);
  }
  const wall = rows.length ? hi - lo : 0;
  return `Gantt: ${parts.join(', ')}, wall ${fmtMs(wall)}`;
}

/** Gantt chart of tasks from raw events, a TaskTimeline or its rows. */
export async function gantt(input: GanttInput, opts: GanttOptions = {}): Promise<MimeBundle> {
  const { rows, wall } = toRows(input);
  return bundle(ganttSpec(rows, { wall, ...opts }), ganttSummary(rows));
}

/** Mean wall time per backend (and per case), error bars when runs repeat. */
export async function bars(samples: readonly RunSample[], opts: BarsOptions = {}): Promise<MimeBundle> {
  const stats = summarize(samples);
  const text = stats.map((s) => `${s.case ? s.case + '/' : ''}${s.backend} ${fmtMs(s.mean)}${s.runs > 1 ? ` ± ${fmtMs(s.std)} (n=${s.runs})` : ''}`);
  return bundle(barsSpec(samples, opts), `Bars: ${text.join(', ')}`);
}

/** Any Vega-Lite v5 spec as a plot bundle (spec, server-side SVG, text), for charts the helpers above don't draw. */
export async function vegalite(spec: VegaLiteSpec, text?: string): Promise<MimeBundle> {
  const withSchema = { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', ...spec };
  return bundle(withSchema, text ?? `Vega-Lite chart${typeof spec.title === 'string' ? `: ${spec.title}` : ''}`);
}

/** What the kernel preloads into the user's scope as `plot`. */
export const plot = { gantt, bars, summaryTable, vegalite };
