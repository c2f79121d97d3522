/** What ConcurrentExecutionBackend needs from a function executor (thread pool, process pool). */
import type { SubmitHooks, TaskSpec } from './backend';

export interface Executor {
  /** Backend name this executor gives its ConcurrentExecutionBackend: 'threads' or 'processes'. */
  readonly kind: string;
  init?(): Promise<void>;
  /** Runs a function task's shipped source with its args; rejects on failure, crash or cancel. */
  run(task: TaskSpec, hooks: SubmitHooks): Promise<unknown>;
  /** Queued: never starts. Running: its worker is stopped and replaced. False when unknown. */
  cancel(id: string): boolean;
  shutdown(): Promise<void>;
}

export interface PoolOptions {
  /** Default: the number of CPUs. */
  maxWorkers?: number;
}
