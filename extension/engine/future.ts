/**
 * TaskFuture: the handle a task call returns. Awaitable (PromiseLike) without allocating a promise until
 * someone awaits it, so a future nobody awaits that fails makes no unhandled-rejection noise, while an
 * awaited one rejects normally. The engine drives it through the internal `_` members.
 */
import type { TaskSlot, TaskState } from './events';
import type { TaskOutput } from './output';
import type { Slot, TaskDef } from './types';
import type { TaskSpec } from '../backends/backend';
import { errorMessage } from './realm';
import { defineRepr, ms, NO_AWAIT } from './repr';

export type TaskKindOrBlock = 'function' | 'executable' | 'block';

export interface AttemptRecord {
  attempt: number;
  /** performance.now() ms. */
  submitted: number;
  started?: number;
  finished?: number;
  state: TaskState;
  error?: string;
}

/** What the engine must provide to a future (kept tiny so future.ts does not import the engine). */
export interface FutureOwner {
  cancelTask(f: TaskFuture<any>): boolean;
}

let seq = 0;

export class TaskFuture<T = unknown> implements PromiseLike<T> {
  /** The sequence number, replaced by the id string on first use (one field instead of two). */
  private _id: number | string;
  state: TaskState = 'PENDING';
  /** performance.now() ms when the task was called; started/finished once it runs and settles. */
  readonly submitted: number;
  started?: number;
  finished?: number;
  /** @internal attempts made so far. */
  _attempt = 0;
  /**
   * @internal when attempt 1 went to the backend, if later than `submitted` (it waited for dependencies).
   * Unset otherwise, which saves a heap number per task.
   */
  _firstSubmit: number | undefined = undefined;
  /**
   * @internal explicit attempt records. A task that succeeds at its first attempt has none: its record is
   * derived from the future's own fields, which saves two objects per task.
   */
  _records: AttemptRecord[] | null = null;
  /** Set when the task is DONE. */
  value?: T;
  /** Set when the task is FAILED or CANCELLED. */
  error?: unknown;

  /**
   * @internal scheduling state, null exactly when the task has settled (dropped then, so finished futures stay
   * small): the engine reads it as "the run of a live task", never with an assertion.
   */
  _s: TaskRun | null;
  private _promise?: Promise<T>;

  constructor(
    private readonly _owner: FutureOwner,
    readonly name: string,
    readonly kind: TaskKindOrBlock,
    public backend: string,
    run: TaskRun,
    readonly parent: string | undefined,
    readonly group: string | undefined,
  ) {
    this._id = ++seq;
    this.submitted = performance.now();
    this._s = run;
  }

  /** Unique id: `<name>.<sequence>` (built on first use). */
  get id(): string {
    const id = this._id;
    return typeof id === 'string' ? id : (this._id = `${this.name}.${id}`);
  }

  /** Attempts made so far (retries add one each). */
  get attempt(): number {
    return this._attempt;
  }

  /** One record per attempt. */
  get attempts(): AttemptRecord[] {
    if (this._records) return this._records;
    return this._attempt === 0 ? [] : [this.firstRecord()];
  }

  private firstRecord(): AttemptRecord {
    const rec: AttemptRecord = { attempt: 1, submitted: this._firstSubmit ?? this.submitted, started: this.started, finished: this.finished, state: this.state };
    if (this.error !== undefined) rec.error = errorMessage(this.error);
    return rec;
  }

  /** @internal switches to explicit records (before a failure is recorded or a retry starts). */
  _materialize(): AttemptRecord[] {
    return (this._records ??= this._attempt === 0 ? [] : [this.firstRecord()]);
  }

  get done(): boolean {
    return this.state === 'DONE' || this.state === 'FAILED' || this.state === 'CANCELLED';
  }

  /** Cancels the task on its backend (a running process is killed); dependents then fail. */
  cancel(): boolean {
    return this._owner.cancelTask(this);
  }

  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.promise().then(onfulfilled, onrejected);
  }

  catch<R = never>(onrejected?: ((reason: any) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.promise().catch(onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<T> {
    return this.promise().finally(onfinally);
  }

  /** A real Promise for the result (created on first use). */
  promise(): Promise<T> {
    if (!this._promise) {
      const run = this._s;
      if (run !== null) {
        const x = run.extra();
        this._promise = new Promise<T>((res, rej) => ((x.resolve = res), (x.reject = rej)));
      } else if (this.state === 'DONE') this._promise = Promise.resolve(this.value as T);
      else this._promise = Promise.reject(this.error);
    }
    return this._promise;
  }

  /** @internal */
  _settle(state: 'DONE' | 'FAILED' | 'CANCELLED', valueOrError: unknown, now: number): void {
    const x = this._s?.x;
    this._s = null;
    this.state = state;
    this.finished = now;
    if (state === 'DONE') {
      this.value = valueOrError as T;
      x?.resolve?.(valueOrError);
    } else {
      this.error = valueOrError;
      x?.reject?.(valueOrError);
    }
  }

  get [Symbol.toStringTag](): string {
    return `TaskFuture ${this.id} ${this.state}`;
  }
}

defineRepr<TaskFuture<unknown>>(TaskFuture.prototype, (f) => {
  const now = performance.now();
  const time = f.started === undefined ? '' : ` ${ms((f.finished ?? now) - f.started)}`;
  const why = f.state === 'FAILED' ? `: ${errorMessage(f.error).slice(0, 80)}` : '';
  return `<TaskFuture ${f.id} ${f.state}${time}${why}>`;
});
// A future as a cell's last value shows its state rather than being awaited (see repr.ts).
Object.defineProperty(TaskFuture.prototype, NO_AWAIT, { value: true });

/** @internal Notified when a future settles, without allocating promises. */
export interface Waiter {
  settled(f: TaskFuture<any>): void;
}

/**
 * @internal What the scheduler tracks for a task until it settles. Only what every task needs lives here;
 * the rest is in a RunExtra made on demand: 100k tiny tasks are alive at once, and bytes per task are GC time.
 */
export class TaskRun {
  dependents: TaskFuture<any>[] | null = null;
  /** Engine-internal listeners (gather): one, or several. */
  waiters: Waiter | Waiter[] | null = null;
  /** Unresolved dependencies. */
  waiting = 0;
  /** The args held futures/promises to substitute. */
  hadDeps = false;
  /** The backend spec (executables, pool functions); undefined for an in-loop function. */
  spec: TaskSpec | undefined = undefined;
  x: RunExtra | null = null;
  constructor(
    public args: unknown[],
    readonly def: TaskDef,
    readonly slot: Slot,
  ) {}

  extra(): RunExtra {
    return (this.x ??= new RunExtra());
  }
}

/** @internal Per-task state that few tasks use: timeouts, cancellation, promise args, blocks, awaiting. */
export class RunExtra {
  promiseValues: Map<Promise<unknown>, unknown> | null = null;
  /** Set by cancel(): the next backend rejection is a cancellation. */
  cancelRequested = false;
  timedOut = false;
  timer: NodeJS.Timeout | undefined = undefined;
  /** Tasks created inside a block. */
  children: TaskFuture<any>[] | null = null;
  resolve: ((v: any) => void) | undefined = undefined;
  reject: ((e: unknown) => void) | undefined = undefined;
  /** Pool tasks: where output goes (the caller's context), the worker, queue entry and end times. */
  output: TaskOutput | null = null;
  slot: TaskSlot | undefined = undefined;
  queuedAt: number | undefined = undefined;
  /** The backend's word on where the attempt runs or why it waits (TaskEvent.detail). */
  detail: string | undefined = undefined;
  endTime: number | undefined = undefined;
  /** Counted in the scheduler's running pool attempts. */
  running = false;
}
