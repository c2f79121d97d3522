/**
 * ConcurrentExecutionBackend: function tasks run in the event loop (default) or on an executor
 * (ThreadPoolExecutor → worker_threads, ProcessPoolExecutor → node child processes); executable tasks
 * always run as child processes, at most `maxProcesses` at once (default: CPU count).
 *
 * In-loop cancel rejects the task's promise at once; the JS function itself cannot be stopped, so its
 * eventual result is dropped. Use an executor when tasks must really be stopped.
 */
import type { Backend, SubmitHooks, TaskSpec } from './backend';
import type { Executor } from './executor';
import { ProcessRunner } from './processes';
import { RUNS_INLINE } from './inline';
import { cpuCount } from './proc/cpus';
import { defineRepr } from '../engine/repr';
import { TaskCancelledError } from '../engine/errors';
import { isThenable } from '../engine/realm';

export interface ConcurrentOptions {
  /** Executables running at once. Default: CPU count. */
  maxProcesses?: number;
  /** Grace period between SIGTERM and SIGKILL when an executable is cancelled. Default 1000 ms. */
  killGraceMs?: number;
}

interface InLoopJob {
  task: TaskSpec;
  reject: (e: unknown) => void;
}

export class ConcurrentExecutionBackend implements Backend {
  readonly name: string;
  private readonly processes: ProcessRunner;
  /** Running in-loop tasks (cancel scans it: rare, so the per-task path stays a Set add/delete). */
  private readonly inLoop = new Set<InLoopJob>();
  private closed = false;

  constructor(
    readonly executor?: Executor,
    opts: ConcurrentOptions = {},
  ) {
    this.name = executor ? executor.kind : 'async';
    this.processes = new ProcessRunner(checkMaxProcesses(opts.maxProcesses), checkGrace(opts.killGraceMs));
  }

  /** Without an executor, the engine may call function tasks directly (see inline.ts). */
  get [RUNS_INLINE](): boolean {
    return !this.executor;
  }

  async init(): Promise<void> {
    await this.executor?.init?.();
  }

  submit(task: TaskSpec, hooks: SubmitHooks): Promise<unknown> {
    if (this.closed) return Promise.reject(new TaskCancelledError(task.name, `submitted after backend '${this.name}' shut down`));
    if (task.kind === 'executable') return this.processes.run(task, hooks);
    if (this.executor) return this.executor.run(task, hooks);
    hooks.started();
    let result: unknown;
    try {
      result = task.fn!(...task.args);
    } catch (err) {
      return Promise.reject(err);
    }
    if (!isThenable(result)) return Promise.resolve(result);
    const running = this.inLoop;
    return new Promise((resolve, reject) => {
      const job: InLoopJob = { task, reject };
      running.add(job);
      result.then(
        (v) => (running.delete(job), resolve(v)),
        (e) => (running.delete(job), reject(e)),
      );
    });
  }

  cancel(id: string): boolean {
    for (const job of this.inLoop) {
      if (job.task.id !== id) continue;
      this.inLoop.delete(job);
      job.reject(new TaskCancelledError(job.task.name));
      return true;
    }
    return this.processes.cancel(id) || (this.executor?.cancel(id) ?? false);
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([this.processes.shutdown(), this.executor?.shutdown()]);
  }
}

function checkMaxProcesses(v: unknown): number {
  if (v === undefined) return cpuCount();
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`ConcurrentExecutionBackend: option 'maxProcesses' must be an integer, got ${String(v)}`);
  if (v < 1 || v > 4096) throw new RangeError(`ConcurrentExecutionBackend: option 'maxProcesses' must be between 1 and 4096, got ${v}`);
  return v;
}

function checkGrace(v: unknown): number {
  if (v === undefined) return 1000;
  if (typeof v !== 'number' || Number.isNaN(v)) throw new TypeError(`ConcurrentExecutionBackend: option 'killGraceMs' must be a number, got ${String(v)}`);
  if (v < 0 || v > 600_000) throw new RangeError(`ConcurrentExecutionBackend: option 'killGraceMs' must be between 0 and 600000, got ${v}`);
  return v;
}

/** RADICAL-AsyncFlow 0.5's name for the same backend. */
export const LocalExecutionBackend = ConcurrentExecutionBackend;
export type LocalExecutionBackend = ConcurrentExecutionBackend;

defineRepr<ConcurrentExecutionBackend>(ConcurrentExecutionBackend.prototype, (b) => {
  const pool = b.executor as { maxWorkers?: number } | undefined;
  const size = pool?.maxWorkers !== undefined ? ` maxWorkers=${pool.maxWorkers}` : '';
  return `<ConcurrentExecutionBackend ${b.name}${size}>`;
});
