// Folds the engine's TaskEvent stream into one row per task, incrementally (O(1) per event).
import type { TaskEvent, TaskSlot, TaskState } from '../engine/events';

/** One task (or block) as seen so far. Times are ms relative to the timeline's origin (see TimelineOptions). */
export interface TaskRow {
  id: string;
  name: string;
  kind: TaskEvent['kind'];
  backend: string;
  state: TaskState;
  /** First event of this task. */
  created: number;
  /** First RUNNING. */
  start?: number;
  /** Time of the final state (DONE, FAILED, CANCELLED). */
  end?: number;
  /** end - start; undefined for a task that never started (it has no bar either). */
  duration?: number;
  /** A task that settled without starting: why, e.g. "dependency `load#3` failed". */
  reason?: string;
  /** The worker slot of the latest RUNNING event, when the backend reports one. */
  slot?: TaskSlot;
  /** Highest attempt seen (1-based). */
  attempts: number;
  error?: string;
  /** The backend's latest word on it: why it waits, or where it runs (TaskEvent.detail). */
  detail?: string;
  parent?: string;
  group?: string;
  /** 1, 2, 3 … in the order tasks reached a final state. */
  order?: number;
  /** Position in first-seen order among rows of the same list (tasks or blocks), 1-based. */
  index: number;
}

export interface TimelineCounts {
  total: number;
  pending: number;
  running: number;
  done: number;
  failed: number;
  cancelled: number;
}

/** A workflow: a block row, or a parent id seen only through its children. */
export interface BlockSummary {
  id: string;
  name: string;
  state?: TaskState;
  start?: number;
  end?: number;
  duration?: number;
  tasks: number;
  done: number;
  failed: number;
}

export interface TimelineOptions {
  /** Keep only events for which this returns true (e.g. one group / cell). */
  filter?: (e: TaskEvent) => boolean;
  /** Time zero (performance.now ms), e.g. the cell's start; default: the first event's time. */
  origin?: number;
}

/** Error text without stack frames: `at Worker.emit (node:events…)` says nothing about the user's task. */
export function cleanError(message: string): string {
  return message.split('\n').filter((l) => !/^\s*at\s/.test(l)).join('\n').trim();
}

const FINAL: ReadonlySet<TaskState> = new Set(['DONE', 'FAILED', 'CANCELLED']);
const COUNT_KEY: Record<TaskState, keyof TimelineCounts> = {
  PENDING: 'pending',
  RUNNING: 'running',
  DONE: 'done',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
};

interface ChildStats {
  tasks: number;
  done: number;
  failed: number;
  start?: number;
  end?: number;
}

export function isFinal(state: TaskState): boolean {
  return FINAL.has(state);
}

export class TaskTimeline {
  /** Non-block rows in first-seen order. */
  readonly tasks: TaskRow[] = [];
  /** Block rows in first-seen order. */
  readonly blockRows: TaskRow[] = [];
  /** Counts over non-block rows. */
  readonly counts: TimelineCounts = { total: 0, pending: 0, running: 0, done: 0, failed: 0, cancelled: 0 };
  /** Time zero (performance.now ms): the option, else the first event; undefined until then. */
  origin: number | undefined;
  /** Latest event time, relative to origin. */
  last = 0;
  /** Latest settle time (relative); undefined until a task settles. */
  settled: number | undefined;
  /** Earliest RUNNING among tasks (relative), shown beside the wall. */
  firstStart: number | undefined;
  /** Some row has a detail: the table shows that column. */
  hasDetail = false;
  /** Some RUNNING event named a worker slot (the table then shows a worker column). */
  hasSlots = false;
  /** Tasks RUNNING now, in start order (for the event-loop hold note). */
  readonly running = new Set<TaskRow>();
  /** Bumped on every accepted event, so viewers can tell whether anything changed. */
  version = 0;
  /** Bound `push`, ready for `flow.on('task', timeline.listener)`. */
  readonly listener = (e: TaskEvent): void => {
    this.push(e);
  };

  private readonly byId = new Map<string, TaskRow>();
  private readonly children = new Map<string, ChildStats>();
  private readonly parentOrder: string[] = [];
  private readonly subscribers = new Set<(row: TaskRow) => void>();
  private completed = 0;

  constructor(
    events: Iterable<TaskEvent> = [],
    private readonly opts: TimelineOptions = {},
  ) {
    this.origin = opts.origin;
    for (const e of events) this.push(e);
  }

  /** Called after every accepted event; returns an unsubscribe function. */
  subscribe(fn: (row: TaskRow) => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  get(id: string): TaskRow | undefined {
    return this.byId.get(id);
  }

  /** All rows, blocks first then tasks (a copy). */
  get rows(): TaskRow[] {
    return [...this.blockRows, ...this.tasks];
  }

  /** The one wall figure: origin (the cell's start) to the last task settled; while running, to the last event. */
  get wall(): number {
    return this.counts.pending + this.counts.running === 0 && this.settled !== undefined ? this.settled : this.last;
  }

  /** `name#index`, the label the table's `#` column and the charts use. */
  label(row: TaskRow): string {
    return `${row.name}#${row.index}`;
  }

  push(e: TaskEvent): TaskRow | undefined {
    if (this.opts.filter && !this.opts.filter(e)) return undefined;
    if (this.origin === undefined) this.origin = e.time;
    const t = e.time - this.origin;
    if (t > this.last) this.last = t;
    let row = this.byId.get(e.id);
    const isBlock = e.kind === 'block';
    if (!row) {
      const list = isBlock ? this.blockRows : this.tasks;
      row = { id: e.id, name: e.name, kind: e.kind, backend: e.backend, state: e.state, created: t, attempts: e.attempt, index: list.length + 1 };
      list.push(row);
      this.byId.set(e.id, row);
      if (!isBlock) {
        this.counts.total++;
        this.counts[COUNT_KEY[e.state]]++;
      }
    } else {
      if (!isBlock) {
        this.counts[COUNT_KEY[row.state]]--;
        this.counts[COUNT_KEY[e.state]]++;
      }
      // Leaving a final state (an unusual retry after FAILED): undo its completion so it is counted once.
      if (isFinal(row.state) && row.parent !== undefined) this.unfinish(row);
      row.state = e.state;
      row.backend = e.backend;
      if (e.attempt > row.attempts) row.attempts = e.attempt;
    }
    if (e.parent !== undefined && row.parent === undefined) {
      row.parent = e.parent; // counted once, even if only a later event names the parent
      this.childStats(e.parent).tasks++;
    }
    if (e.group !== undefined) row.group = e.group;
    if (e.detail !== undefined) {
      row.detail = e.detail;
      this.hasDetail = true;
    }
    if (e.state === 'RUNNING') {
      if (row.start === undefined) row.start = t;
      if (e.slot) (row.slot = e.slot), (this.hasSlots = true);
      if (!isBlock) this.running.add(row);
      if (!isBlock && (this.firstStart === undefined || t < this.firstStart)) this.firstStart = t;
    }
    if (e.state !== 'RUNNING') this.running.delete(row);
    if (isFinal(e.state)) {
      row.end = t;
      if (this.settled === undefined || t > this.settled) this.settled = t;
      row.duration = row.start === undefined ? undefined : t - row.start;
      row.reason = row.start === undefined ? this.neverStarted(e) : undefined;
      if (row.kind !== 'block') row.order = ++this.completed; // blocks are workflows, not tasks: not numbered
      if (e.error !== undefined) row.error = cleanError(e.error);
      if (row.parent !== undefined) this.finish(row);
    } else {
      row.end = row.duration = row.order = row.reason = undefined;
    }
    if (row.parent !== undefined) this.widen(this.childStats(row.parent), row.start ?? row.end ?? row.created, row.end);
    this.version++;
    for (const fn of this.subscribers) fn(row);
    return row;
  }

  /** Per-workflow start and finish: block rows first, then parents known only from their children. */
  blocks(): BlockSummary[] {
    const out: BlockSummary[] = [];
    for (const b of this.blockRows) {
      const c = this.children.get(b.id);
      out.push({
        id: b.id, name: b.name, state: b.state,
        start: b.start ?? b.created, end: b.end, duration: b.end === undefined ? undefined : b.end - (b.start ?? b.created),
        tasks: c?.tasks ?? 0, done: c?.done ?? 0, failed: c?.failed ?? 0,
      });
    }
    for (const id of this.parentOrder) {
      if (this.byId.get(id)?.kind === 'block') continue;
      const c = this.children.get(id)!;
      const duration = c.start !== undefined && c.end !== undefined ? c.end - c.start : undefined;
      out.push({ id, name: id, start: c.start, end: c.end, duration, tasks: c.tasks, done: c.done, failed: c.failed });
    }
    return out;
  }

  /** Why a task settled without a RUNNING event. */
  private neverStarted(e: TaskEvent): string {
    const dep = e.dependency === undefined ? undefined : this.byId.get(e.dependency);
    if (dep) return `dependency \`${this.label(dep)}\` ${dep.state === 'CANCELLED' ? 'was cancelled' : 'failed'}`;
    if (e.dependency !== undefined) return 'a dependency failed';
    return e.state === 'CANCELLED' ? 'cancelled before it started' : 'failed before it started';
  }

  private childStats(parent: string): ChildStats {
    let c = this.children.get(parent);
    if (!c) {
      c = { tasks: 0, done: 0, failed: 0 };
      this.children.set(parent, c);
      this.parentOrder.push(parent);
    }
    return c;
  }

  private finish(row: TaskRow): void {
    const c = this.childStats(row.parent!);
    if (row.state === 'DONE') c.done++;
    else if (row.state === 'FAILED') c.failed++;
  }

  private unfinish(row: TaskRow): void {
    const c = this.childStats(row.parent!);
    if (row.state === 'DONE') c.done--;
    else if (row.state === 'FAILED') c.failed--;
  }

  private widen(c: ChildStats, start: number, end: number | undefined): void {
    if (c.start === undefined || start < c.start) c.start = start;
    if (end !== undefined && (c.end === undefined || end > c.end)) c.end = end;
  }
}
