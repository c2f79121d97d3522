// Shared test helpers: TaskEvent factory, a recording DisplaySink and a manual clock.
import type { TaskEvent, TaskState } from '../../../extension/engine/events';
import type { DisplaySink, MimeBundle } from '../../../extension/display';
import type { Clock } from '../../../extension/report';

export function ev(id: string, state: TaskState, time: number, extra: Partial<TaskEvent> = {}): TaskEvent {
  return { id, name: extra.name ?? `task-${id}`, kind: 'function', state, backend: 'local', time, attempt: 1, ...extra };
}

/** PENDING → RUNNING → final for `n` tasks, staggered so start and end times differ. */
export function lifecycle(n: number, t0 = 1000, final: TaskState = 'DONE'): TaskEvent[] {
  const out: TaskEvent[] = [];
  for (let i = 0; i < n; i++) out.push(ev(String(i), 'PENDING', t0 + i), ev(String(i), 'RUNNING', t0 + i + 1));
  for (let i = 0; i < n; i++) out.push(ev(String(i), final, t0 + n + 10 + i));
  return out;
}

export interface Call {
  kind: 'display' | 'update' | 'clear';
  id?: string;
  bundle?: MimeBundle;
}

export class RecordingSink implements DisplaySink {
  calls: Call[] = [];
  text = '';
  stdout(t: string): void {
    this.text += t;
  }
  stderr(t: string): void {
    this.text += t;
  }
  display(bundle: MimeBundle, opts?: { id?: string }): void {
    this.calls.push({ kind: 'display', id: opts?.id, bundle });
  }
  update(id: string, bundle: MimeBundle): void {
    this.calls.push({ kind: 'update', id, bundle });
  }
  clear(): void {
    this.calls.push({ kind: 'clear' });
  }
  last(): MimeBundle {
    return this.calls[this.calls.length - 1].bundle!;
  }
}

/** A clock whose time only moves when the test says so; timers fire on `advance`. */
export class ManualClock implements Clock {
  t = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  private next = 1;
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const h = this.next++;
    this.timers.set(h, { at: this.t + ms, fn });
    return h;
  }
  clearTimeout(h: unknown): void {
    this.timers.delete(h as number);
  }
  get pending(): number {
    return this.timers.size;
  }
  advance(ms: number): void {
    const until = this.t + ms;
    for (;;) {
      const due = [...this.timers].filter(([, x]) => x.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.t = Math.max(this.t, due[1].at); // overdue (the test moved t past it, as a held loop does): fires late
      due[1].fn();
    }
    this.t = until;
  }
}
