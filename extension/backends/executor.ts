/** What ConcurrentExecutionBackend needs from a function executor (thread pool, process pool). */
import type { SubmitHooks, TaskSpec } from './backend';
import { TaskCancelledError } from '../engine/errors';

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
  /**
   * Heap limit of each worker in MB (thread resourceLimits / --max-old-space-size). A task that runs out of
   * memory then fails quickly with WorkerCrashError instead of swelling towards the host's default limit.
   * Default 1024.
   */
  maxHeapMb?: number;
}

export const DEFAULT_WORKER_HEAP_MB = 1024;

/** Takes a not-yet-started job out of a backend's queue and rejects it as cancelled; false when not queued. */
export function cancelQueued(queue: { task: TaskSpec; reject(e: unknown): void }[], id: string): boolean {
  const i = queue.findIndex((j) => j.task.id === id);
  if (i < 0) return false;
  const [job] = queue.splice(i, 1);
  job.reject(new TaskCancelledError(job.task.name));
  return true;
}
