// One notebook display per run, refreshed through update_display_data at most every `intervalMs`.
import type { DisplaySink, MimeBundle } from '../display';
import type { TaskEvent } from '../engine/events';
import { TaskTimeline, type TimelineOptions } from './timeline';
import { renderTable, type TableRenderOptions } from './table-render';

/** Timer functions, injectable so tests can drive the throttle with a fake clock. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.(); // close() flushes anyway; a pending refresh must not keep the process alive
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface LiveTableOptions extends TableRenderOptions {
  /** display_id; default `flowbook-<random>`. */
  id?: string;
  /** Minimum time between two refreshes (default 100 ms, i.e. ≤ 10 updates/s). */
  intervalMs?: number;
  clock?: Clock;
}

/** Anything with the engine's `on('task', listener)`; `on` may return an unsubscribe function. */
export interface TaskSource {
  on(event: 'task', listener: (e: TaskEvent) => void): unknown;
  off?(event: 'task', listener: (e: TaskEvent) => void): unknown;
}

export class LiveTable {
  readonly id: string;
  /** How many display / update calls were made (for tests and benchmarks). */
  displays = 0;
  updates = 0;
  private shown = false;
  private closed = false;
  private renderedVersion = -1;
  private lastRender = -Infinity;
  private timer: unknown;
  private readonly unsubscribe: () => void;
  private readonly clock: Clock;
  private readonly interval: number;
  private detachSource: () => void = () => {};

  constructor(
    private readonly sink: DisplaySink,
    readonly timeline: TaskTimeline,
    private readonly opts: LiveTableOptions = {},
  ) {
    this.id = opts.id ?? `flowbook-${Math.random().toString(36).slice(2, 10)}`;
    this.clock = opts.clock ?? realClock;
    this.interval = opts.intervalMs ?? 100;
    this.unsubscribe = timeline.subscribe(() => this.notify());
  }

  /** Subscribes a new timeline to `source` and shows a live table for it; `close()`/`finish()` unsubscribe. */
  static follow(source: TaskSource, sink: DisplaySink, opts: LiveTableOptions & TimelineOptions = {}): LiveTable {
    const timeline = new TaskTimeline([], { filter: opts.filter });
    const table = new LiveTable(sink, timeline, opts);
    const off = source.on('task', timeline.listener);
    table.detachSource = typeof off === 'function' ? (off as () => void) : () => source.off?.('task', timeline.listener);
    return table;
  }

  /** Something changed: refresh now if the last refresh is old enough (leading edge), else once later (trailing). */
  notify(): void {
    if (this.closed || this.timer !== undefined) return;
    const wait = this.lastRender + this.interval - this.clock.now();
    if (wait <= 0) this.render();
    else this.timer = this.clock.setTimeout(() => this.onTimer(), wait);
  }

  /** Stops listening and publishes the latest state once more if anything changed since the last refresh. */
  close(): void {
    if (this.stop() && (this.renderedVersion !== this.timeline.version || !this.shown)) this.render();
  }

  /** Replaces the live table with the final one; `plot` (e.g. from plot.gantt) is displayed below it. */
  finish(plot?: MimeBundle): void {
    this.stop();
    this.publish(renderTable(this.timeline, { ...this.opts, final: true }));
    if (plot) this.sink.display(plot);
  }

  /** Detaches from the timeline and the source; false if already stopped. */
  private stop(): boolean {
    if (this.closed) return false;
    this.closed = true;
    this.stopTimer();
    this.unsubscribe();
    this.detachSource();
    return true;
  }

  private onTimer(): void {
    this.timer = undefined;
    if (!this.closed && this.renderedVersion !== this.timeline.version) this.render();
  }

  private stopTimer(): void {
    if (this.timer === undefined) return;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private render(): void {
    this.lastRender = this.clock.now();
    this.renderedVersion = this.timeline.version;
    this.publish(renderTable(this.timeline, this.opts));
  }

  private publish(bundle: MimeBundle): void {
    if (this.shown) {
      this.updates++;
      this.sink.update(this.id, bundle);
    } else {
      this.shown = true;
      this.displays++;
      this.sink.display(bundle, { id: this.id });
    }
  }
}
