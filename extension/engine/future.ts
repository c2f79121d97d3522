/**
 * TaskFuture: the handle a task call returns. Awaitable (PromiseLike) without allocating a promise until
 * someone awaits it, so a future nobody awaits that fails makes no unhandled-rejection noise, while an
 * awaited one rejects normally. The engine drives it through the internal `_` members.
 */
import type { TaskState } from './events';

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
  readonly id: string;
  state: TaskState = 'PENDING';
  /** performance.now() ms when the task was called; started/finished once it runs and settles. */
  readonly submitted: number;
  started?: number;
  finished?: number;
  readonly attempts: AttemptRecord[] = [];
  /** Set when the task is DONE. */
  value?: T;
  /** Set when the task is FAILED or CANCELLED. */
  error?: unknown;

  /** @internal dependents waiting on this future. */
  _dependents: TaskFuture<any>[] | null = null;
  /** @internal unresolved dependencies of this future. */
  _waiting = 0;
  /** @internal plain-promise dependency values. */
  _promiseValues: Map<Promise<unknown>, unknown> | null = null;
  /** @internal */
  _args: unknown[];
  /** @internal set by cancel(): the next backend rejection is a cancellation. */
  _cancelRequested = false;
  /** @internal set on timeout expiry. */
  _timedOut = false;
  /** @internal */
  _timer: NodeJS.Timeout | undefined = undefined;
  /** @internal the task definition (engine-private). */
  _def: any;
  /** @internal the backend slot the task was assigned to (engine-private). */
  _slot: any;
  /** @internal the spec handed to the backend. */
  _spec: any;
  /** @internal true when the args held futures/promises to substitute. */
  _hadDeps = false;
  /** @internal tasks created inside a block. */
  _children: TaskFuture<any>[] | null = null;
  private _resolve?: (v: T) => void;
  private _reject?: (e: unknown) => void;
  private _promise?: Promise<T>;

  constructor(
    private readonly _owner: FutureOwner,
    readonly name: string,
    readonly kind: TaskKindOrBlock,
    public backend: string,
    args: unknown[],
    readonly parent: string | undefined,
    readonly group: string | undefined,
  ) {
    this.id = `${name}.${++seq}`;
    this.submitted = performance.now();
    this._args = args;
  }

  get attempt(): number {
    return this.attempts.length;
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
      if (this.state === 'DONE') this._promise = Promise.resolve(this.value as T);
      else if (this.state === 'FAILED' || this.state === 'CANCELLED') this._promise = Promise.reject(this.error);
      else this._promise = new Promise<T>((res, rej) => ((this._resolve = res), (this._reject = rej)));
    }
    return this._promise;
  }

  /** @internal */
  _settle(state: 'DONE' | 'FAILED' | 'CANCELLED', valueOrError: unknown, now: number): void {
    this.state = state;
    this.finished = now;
    if (state === 'DONE') {
      this.value = valueOrError as T;
      this._resolve?.(valueOrError as T);
    } else {
      this.error = valueOrError;
      this._reject?.(valueOrError);
    }
    this._resolve = this._reject = undefined;
    this._args = EMPTY;
  }

  get [Symbol.toStringTag](): string {
    return `TaskFuture ${this.id} ${this.state}`;
  }
}

const EMPTY: unknown[] = [];
