// One notebook display per run, refreshed through update_display_data at most every `intervalMs`.
import type { DisplaySink, MimeBundle } from '../display';
import type { TaskEvent } from '../engine/events';
import { TaskTimeline, type TaskRow, type TimelineOptions } from './timeline';
import { fmtDuration } from './format';
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
  /**
   * A heartbeat that fires this much later than asked means the event loop was held (default 250 ms).
   * Nothing on this thread can draw while the loop is held, so the table says so in the first update after it.
   */
  holdMs?: number;
}

/** The longest stretch the event loop was held while the table was live, and the in-loop task that held it. */
export interface LoopHold {
  ms: number;
  /** Relative to the timeline's origin. */
  at: number;
  task?: string;
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
  private beat: unknown;
  private beatDue = 0;
  /** Rows touched since the last heartbeat: a sync task that started and ended inside the hold. */
  private touched = new Set<TaskRow>();
  /** The longest hold seen, and the latest one (shown until the next update after it). */
  longestHold: LoopHold | undefined;
  private lastHold: LoopHold | undefined;

  constructor(
    private readonly sink: DisplaySink,
    readonly timeline: TaskTimeline,
    private readonly opts: LiveTableOptions = {},
  ) {
    this.id = opts.id ?? `flowbook-${Math.random().toString(36).slice(2, 10)}`;
    this.clock = opts.clock ?? realClock;
    this.interval = opts.intervalMs ?? 100;
    this.unsubscribe = timeline.subscribe((row) => {
      if (this.touched.size < 10_000) this.touched.add(row);
      this.notify();
    });
    this.scheduleBeat();
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
    this.publish(renderTable(this.timeline, { ...this.opts, final: true, note: this.holdNote(true) }));
    if (plot) this.sink.display(plot);
  }

  /** Detaches from the timeline and the source; false if already stopped. */
  private stop(): boolean {
    if (this.closed) return false;
    this.closed = true;
    this.stopTimer();
    if (this.beat !== undefined) this.clock.clearTimeout(this.beat), (this.beat = undefined);
    this.unsubscribe();
    this.detachSource();
    return true;
  }

  /** Stops the heartbeat, e.g. while the final chart renders (that holds the loop, but it is not the user's). */
  stopHeartbeat(): void {
    if (this.beat !== undefined) this.clock.clearTimeout(this.beat), (this.beat = undefined);
    this.touched.clear();
  }

  /** Heartbeat: measures how late it fires (a late timer means a held loop); cheap when nothing happened. */
  private scheduleBeat(): void {
    this.beatDue = this.clock.now() + this.interval;
    this.beat = this.clock.setTimeout(() => this.onBeat(), this.interval);
  }

  private onBeat(): void {
    this.beat = undefined;
    if (this.closed) return;
    const now = this.clock.now();
    const late = now - this.beatDue;
    if (late >= (this.opts.holdMs ?? 250)) {
      const origin = this.timeline.origin ?? now;
      const hold: LoopHold = { ms: late, at: this.beatDue - origin, task: this.holder(this.beatDue - origin, now - origin) };
      this.lastHold = hold;
      if (!this.longestHold || hold.ms > this.longestHold.ms) this.longestHold = hold;
      this.stopTimer();
      this.render();
    }
    this.touched.clear();
    this.scheduleBeat();
  }

  /** The in-loop task (no worker slot) that overlaps the held stretch [from, to] the most. */
  private holder(from: number, to: number): string | undefined {
    let best: TaskRow | undefined;
    let bestOverlap = 0;
    const consider = (r: TaskRow) => {
      if (r.kind === 'block' || r.slot || r.start === undefined) return;
      const overlap = Math.min(r.end ?? to, to) - Math.max(r.start, from);
      if (overlap > bestOverlap) (best = r), (bestOverlap = overlap);
    };
    let n = 0;
    for (const r of this.timeline.running) if (n++ < 10_000) consider(r);
    for (const r of this.touched) consider(r);
    return best ? this.timeline.label(best) : undefined;
  }

  /** The note under the summary: the latest hold while live, the longest one at the end. */
  private holdNote(final: boolean): string | undefined {
    const h = final ? this.longestHold : this.lastHold;
    if (!h) return undefined;
    const who = h.task ? ` in \`${h.task}\`` : '';
    return `event loop busy${who} for ${fmtDuration(h.ms)} at ${fmtDuration(h.at)}: the table could not update meanwhile`;
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
    this.publish(renderTable(this.timeline, { ...this.opts, note: this.holdNote(false) }));
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
