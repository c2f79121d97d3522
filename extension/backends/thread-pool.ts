/**
 * ThreadPoolExecutor: function tasks on worker_threads through piscina. The function travels as source
 * (portable.ts: closures are refused with a ClosureError naming the variable) and its args are
 * structured-cloned. Cancel or timeout of a running task aborts it, which terminates its thread;
 * piscina starts a replacement. A task that calls process.exit ends only its own thread.
 */
import * as os from 'node:os';
import type { SubmitHooks, TaskSpec } from './backend';
import { DEFAULT_WORKER_HEAP_MB, type Executor, type PoolOptions } from './executor';
import { assertCloneable, portableSource } from './portable';
import { workerPath } from './worker-path';
import { TaskCancelledError, WorkerCrashError } from '../engine/errors';

type Piscina = import('piscina').Piscina;

export class ThreadPoolExecutor implements Executor {
  readonly kind = 'threads';
  readonly maxWorkers: number;
  readonly maxHeapMb: number;
  private pool?: Piscina;
  private readonly running = new Map<string, AbortController>();

  constructor(opts: PoolOptions = {}) {
    this.maxWorkers = opts.maxWorkers ?? (typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
    this.maxHeapMb = opts.maxHeapMb ?? DEFAULT_WORKER_HEAP_MB;
  }

  async init(): Promise<void> {
    this.startPool();
  }

  private startPool(): Piscina {
    if (!this.pool) {
      const { Piscina } = require('piscina') as typeof import('piscina');
      this.pool = new Piscina({
        filename: workerPath('thread-worker'),
        minThreads: this.maxWorkers,
        maxThreads: this.maxWorkers,
        // Several tasks per thread at once: async tasks interleave, and batches of tiny tasks pipeline.
        concurrentTasksPerWorker: 4,
        // Without a limit an out-of-memory task grows to the process default (GBs) before it dies.
        resourceLimits: { maxOldGenerationSizeMb: this.maxHeapMb },
      });
    }
    return this.pool;
  }

  run(task: TaskSpec, hooks: SubmitHooks): Promise<unknown> {
    const source = portableSource(task.fn!, task.name);
    assertCloneable(task.args, task.name);
    const ac = new AbortController();
    this.running.set(task.id, ac);
    hooks.started();
    return this.startPool()
      .run({ source, args: task.args }, { signal: ac.signal })
      .then(
        (v) => {
          this.running.delete(task.id);
          return v;
        },
        (err: unknown) => {
          this.running.delete(task.id);
          if (ac.signal.aborted) throw new TaskCancelledError(task.name);
          const msg = err instanceof Error ? err.message : String(err);
          if (/worker exited|terminated|memory limit/i.test(msg)) {
            throw new WorkerCrashError(task.name, `task '${task.name}': its worker thread died (${msg}); the pool replaced it`, { cause: err });
          }
          throw err;
        },
      );
  }

  cancel(id: string): boolean {
    const ac = this.running.get(id);
    if (!ac) return false;
    ac.abort();
    return true;
  }

  async shutdown(): Promise<void> {
    for (const ac of this.running.values()) ac.abort();
    const pool = this.pool;
    this.pool = undefined;
    await pool?.destroy();
  }
}
