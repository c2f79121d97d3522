// Report benchmarks: server-side SVG render time of Gantt charts, and live-table cost per task event.
import type { BenchResult, BenchRow } from './types';
import type { DisplaySink } from '../../extension/display';
import type { TaskEvent } from '../../extension/engine/events';
import * as os from 'node:os';
import { LiveTable, TaskTimeline, ganttSpec, renderPng, renderSvg, renderTable, timingSpec } from '../../extension/report';

function events(n: number): TaskEvent[] {
  const out: TaskEvent[] = [];
  const base = { kind: 'function' as const, backend: 'local', attempt: 1 };
  for (let i = 0; i < n; i++) {
    out.push({ ...base, id: `t${i}`, name: `task-${i}`, state: 'PENDING', time: i * 0.5 });
    out.push({ ...base, id: `t${i}`, name: `task-${i}`, state: 'RUNNING', time: i * 0.5 + 1, slot: { worker: i % 8 } });
  }
  for (let i = 0; i < n; i++) out.push({ ...base, id: `t${i}`, name: `task-${i}`, state: i % 17 ? 'DONE' : 'FAILED', time: n + i * 0.7 });
  return out;
}

async function median(reps: number, fn: () => unknown): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await fn();
    xs.push(performance.now() - t);
  }
  return xs.sort((a, b) => a - b)[Math.floor(reps / 2)];
}

const nullSink: DisplaySink = { stdout() {}, stderr() {}, display() {}, update() {}, clear() {} };

export async function bench(): Promise<BenchResult> {
  const rows: BenchRow[] = [];
  const data: Record<string, unknown> = {};

  const cold = performance.now();
  await renderSvg(ganttSpec(new TaskTimeline(events(10)).rows));
  data.firstRenderMs = performance.now() - cold; // includes loading vega + vega-lite

  // Baseline: the same chart with every task label drawn (what an unconditional spec would do).
  // Up to 60 tasks both specs are identical, so there is no baseline to compare with.
  for (const n of [10, 100, 1000, 10_000]) {
    const tl = new TaskTimeline(events(n));
    const reps = n > 1000 ? 1 : 7;
    const ours = await median(reps, () => renderSvg(ganttSpec(tl.rows, { wall: tl.wall })));
    const naive = n > 60 ? await median(reps, () => renderSvg(ganttSpec(tl.rows, { wall: tl.wall, maxLabels: Infinity }))) : NaN;
    data[`gantt${n}`] = { ms: ours, allLabelsMs: n > 60 ? naive : null };
    rows.push({
      case: `SVG gantt, ${n.toLocaleString('en-US')} tasks`,
      flowbook: `${ours.toFixed(1)} ms`,
      baseline: n > 60 ? `${naive.toFixed(1)} ms (all labels)` : '(same spec)',
      ratio: n > 60 ? (naive / ours).toFixed(2) : '',
      goal: n === 1000 ? '< 1000 ms' : '',
      met: n === 1000 ? ours < 1000 : undefined,
    });
  }

  // PNG of the 1,000-task chart as %%flow draws it (task stream above 100 tasks), and the 1,000-row Gantt:
  // vega to SVG, then resvg to PNG. Baseline: the SVG step alone (what the bundle cost before PNG).
  const load = os.loadavg()[0].toFixed(1);
  for (const view of ['stream', 'gantt'] as const) {
    const tl = new TaskTimeline(events(1000));
    const { spec } = timingSpec(tl, { view });
    let bytes = 0;
    const svgMs = await median(5, () => renderSvg(spec));
    const pngMs = await median(5, async () => (bytes = renderPng(await renderSvg(spec)).length));
    data[`png1000${view}`] = { ms: pngMs, svgMs, bytes, load1: Number(load), cpus: os.cpus().length };
    rows.push({
      case: `PNG ${view}, 1,000 tasks (${(bytes / 1024).toFixed(0)} kB; load ${load} on ${os.cpus().length} cores)`,
      flowbook: `${pngMs.toFixed(1)} ms`,
      baseline: `${svgMs.toFixed(1)} ms (SVG only)`,
      ratio: (pngMs / svgMs).toFixed(2),
      goal: '<= 300 ms, <= 300 kB',
      met: pngMs <= 300 && bytes <= 300 * 1024,
    });
  }

  // Live table: throttled refreshes vs re-rendering the table on every event.
  const evs = events(10_000);
  let updates = 0;
  const live = await median(3, () => {
    const tl = new TaskTimeline();
    const table = new LiveTable(nullSink, tl);
    for (const e of evs) tl.push(e);
    table.close();
    updates = table.displays + table.updates;
  });
  const eager = await median(3, () => {
    const tl = new TaskTimeline();
    for (const e of evs) {
      tl.push(e);
      renderTable(tl);
    }
  });
  const perEvent = (ms: number) => (ms * 1000) / evs.length;
  data.liveTable = { events: evs.length, ms: live, renders: updates, eagerMs: eager, usPerEvent: perEvent(live), eagerUsPerEvent: perEvent(eager) };
  rows.push({
    case: `live table, ${evs.length.toLocaleString('en-US')} events (burst)`,
    flowbook: `${perEvent(live).toFixed(2)} µs/event (${updates} renders)`,
    baseline: `${perEvent(eager).toFixed(2)} µs/event (render each)`,
    ratio: (eager / live).toFixed(1),
    goal: '≤ 10 renders/s',
    met: updates <= 3,
  });
  return { area: 'report', rows, data };
}
