/** What ConcurrentExecutionBackend needs from a function executor (the thread and process pools). */
import type { SubmitHooks, TaskSpec } from './backend';

export interface Executor {
  /** Backend name this executor gives its ConcurrentExecutionBackend: 'threads' or 'processes'. */
  readonly kind: string;
  init?(): Promise<void>;
  /** Runs a function task's shipped source with its args; rejects on failure, crash or cancel. */
  run(task: TaskSpec, hooks: SubmitHooks): Promise<unknown>;
  /** Queued: never starts. Running: stopped (see pools/pool.ts). False when unknown. */
  cancel(id: string): boolean;
  shutdown(): Promise<void>;
}

export type { PoolOptions } from './pools/options';
export { DEFAULT_WORKER_HEAP_MB } from './pools/options';
