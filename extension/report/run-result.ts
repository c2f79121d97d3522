// What a %%flow or %%compare run leaves behind (`flow.last`): rows, events, wall, errors, and exports —
// JSON, CSV, a Chrome/Perfetto trace (workflows as processes with their span, tasks on lanes beneath), charts.
import * as fs from 'node:fs';
import type { TaskEvent } from '../engine/events';
import type { TaskRow, TaskTimeline } from './timeline';
import type { RunSample } from './stats';
import { assignLanes } from './lanes';
import { rowLabel } from './specs';
import { renderPng, renderSvg } from './svg';
import { timingSpec, type PlotView } from './plot';

export interface RunError {
  task: string;
  state: string;
  error: string;
}

type TraceEvent = Record<string, unknown>;

const CSV_HEADER = ['index', 'name', 'kind', 'backend', 'worker', 'state', 'start_ms', 'end_ms', 'duration_ms', 'done_order', 'parent', 'reason', 'error'];

function csvCell(v: unknown): string {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const us = (ms: number) => Math.round(ms * 1000);

export class RunResult {
  constructor(
    readonly kind: 'flow' | 'compare',
    readonly title: string,
    readonly events: readonly TaskEvent[],
    readonly timeline: TaskTimeline,
    readonly value?: unknown,
    /** %%compare: one wall time per run and backend. */
    readonly samples?: readonly RunSample[],
  ) {}

  get rows(): TaskRow[] {
    return this.timeline.rows;
  }

  /** Cell start to the last task settled, ms. */
  get wall(): number {
    return this.timeline.wall;
  }

  get firstStart(): number | undefined {
    return this.timeline.firstStart;
  }

  get errors(): RunError[] {
    return this.rows.filter((r) => r.state === 'FAILED' || r.state === 'CANCELLED')
      .map((r) => ({ task: rowLabel(r), state: r.state, error: r.reason ?? r.error ?? '' }));
  }

  toJSON() {
    return {
      kind: this.kind, title: this.title, wall: this.wall, firstStart: this.firstStart ?? null,
      counts: { ...this.timeline.counts }, rows: this.rows, errors: this.errors,
      ...(this.samples ? { samples: this.samples } : {}), events: this.events,
    };
  }

  /** One line per task and workflow; times in ms since the cell started. */
  toCSV(): string {
    const lines = [CSV_HEADER.join(',')];
    for (const r of this.rows) {
      lines.push([r.index, r.name, r.kind, r.backend, r.slot?.worker, r.state, r.start, r.end, r.duration, r.order, r.parent, r.reason, r.error]
        .map(csvCell).join(','));
    }
    return lines.join('\n') + '\n';
  }

  /**
   * Chrome trace-event JSON (opens in ui.perfetto.dev and chrome://tracing): each workflow is a process whose
   * first thread holds the workflow's span and whose other threads are the lanes its tasks ran on; tasks outside a
   * workflow go under the run's own process. Tasks that never started are instant events at their settle time.
   */
  trace(): { traceEvents: TraceEvent[]; displayTimeUnit: 'ms' } {
    const out: TraceEvent[] = [];
    const rows = this.rows;
    const blocks = rows.filter((r) => r.kind === 'block');
    const groups: Array<{ pid: number; name: string; span?: TaskRow; tasks: TaskRow[] }> = [
      { pid: 1, name: this.title, tasks: [] },
      ...blocks.map((b, i) => ({ pid: i + 2, name: rowLabel(b), span: b, tasks: [] as TaskRow[] })),
    ];
    const byBlock = new Map(groups.slice(1).map((g) => [g.span!.id, g]));
    for (const r of rows) if (r.kind !== 'block') (byBlock.get(r.parent ?? '') ?? groups[0]).tasks.push(r);
    const end = this.wall;
    for (const g of groups) {
      out.push({ ph: 'M', name: 'process_name', pid: g.pid, tid: 0, args: { name: g.name } });
      if (g.span) {
        out.push({ ph: 'M', name: 'thread_name', pid: g.pid, tid: 0, args: { name: 'workflow' } });
        const s = g.span.start ?? g.span.created;
        out.push({ ph: 'X', name: g.name, cat: 'workflow', pid: g.pid, tid: 0, ts: us(s), dur: us((g.span.end ?? end) - s), args: { state: g.span.state } });
      }
      assignLanes(g.tasks, end).forEach((lane, i) => {
        const tid = i + 1;
        out.push({ ph: 'M', name: 'thread_name', pid: g.pid, tid, args: { name: lane.name } });
        for (const r of lane.rows) {
          out.push({
            ph: 'X', name: rowLabel(r), cat: r.backend, pid: g.pid, tid, ts: us(r.start!), dur: us((r.end ?? end) - r.start!),
            args: { state: r.state, backend: r.backend, ...(r.slot ? { worker: r.slot.worker } : {}), ...(r.error ? { error: r.error } : {}) },
          });
        }
      });
      for (const r of g.tasks) {
        if (r.start !== undefined || r.end === undefined) continue;
        out.push({ ph: 'i', s: 't', name: rowLabel(r), cat: 'never started', pid: g.pid, tid: 0, ts: us(r.end), args: { state: r.state, reason: r.reason } });
      }
    }
    return { traceEvents: out, displayTimeUnit: 'ms' };
  }

  saveTrace(path: string): string {
    fs.writeFileSync(path, JSON.stringify(this.trace()));
    return path;
  }

  /** The run's timing chart as a file: .png or .svg (by the name). */
  async saveChart(path: string, opts: { view?: PlotView } = {}): Promise<string> {
    const { spec } = timingSpec(this.timeline, { view: opts.view, title: this.title });
    const svg = await renderSvg(spec);
    if (/\.svg$/i.test(path)) fs.writeFileSync(path, svg);
    else if (/\.png$/i.test(path)) fs.writeFileSync(path, renderPng(svg, 2));
    else throw new Error(`saveChart: '${path}' must end in .png or .svg`);
    return path;
  }

  toString(): string {
    return `${this.title}: ${this.timeline.counts.total} tasks, wall ${this.wall.toFixed(1)} ms, ${this.errors.length} errors`;
  }
}
