// One lane per worker slot for the task-stream view and the trace: from the slot the backend reported on RUNNING,
// else assigned greedily from start/end intervals (the first lane free at a task's start, as Dask does for threads).
import type { TaskRow } from './timeline';

export interface Lane {
  /** "worker 2", "host-b worker 0", "lane 3" (greedy, no slot reported). */
  name: string;
  rows: TaskRow[];
}

const MAX_LANES = 64;

function slotName(r: TaskRow): string | undefined {
  if (!r.slot) return undefined;
  return `${r.slot.host ? `${r.slot.host} ` : ''}worker ${r.slot.worker}`;
}

/** Lanes for the tasks that started (blocks and never-started tasks have none), in a stable order. */
export function assignLanes(rows: readonly TaskRow[], end: number): Lane[] {
  const started = rows.filter((r) => r.kind !== 'block' && r.start !== undefined).sort((a, b) => a.start! - b.start! || a.index - b.index);
  const bySlot = new Map<string, Lane>();
  const greedy: Array<{ lane: Lane; free: number }> = [];
  for (const r of started) {
    const slot = slotName(r);
    if (slot !== undefined) {
      let lane = bySlot.get(slot);
      if (!lane) bySlot.set(slot, (lane = { name: slot, rows: [] }));
      lane.rows.push(r);
      continue;
    }
    const stop = r.end ?? end;
    let g = greedy.find((x) => x.free <= r.start!);
    // Past MAX_LANES (thousands of in-loop tasks at once) tasks share the lane that frees first: still readable.
    if (!g && greedy.length >= MAX_LANES) g = greedy.reduce((a, b) => (b.free < a.free ? b : a));
    if (!g) greedy.push((g = { lane: { name: '', rows: [] }, free: 0 }));
    g.lane.rows.push(r);
    g.free = stop;
  }
  const named = [...bySlot.values()].sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  greedy.forEach((g, i) => (g.lane.name = `lane ${i + 1}`));
  return [...named, ...greedy.map((g) => g.lane)];
}
