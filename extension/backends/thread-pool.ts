/**
 * ThreadPoolExecutor: function tasks on worker_threads through piscina. The function travels as source
 * (portable.ts: closures are refused with a ClosureError naming the variable) and its args are
 * structured-cloned. A task that calls process.exit ends only its own thread; piscina replaces it.
 *
 * Tasks submitted in the same tick are sent in batches (one message per batch, several batches in flight
 * per thread), which is what makes many tiny tasks cheap. Isolation is kept: a task with a timeout runs
 * alone; cancelling a task in a running batch aborts that batch (terminating its thread) and re-queues
 * the others; a batch that fails as a whole (a crash, an uncloneable result) re-runs each task alone, so
 * only the culprit fails. Re-run tasks may thus run twice: keep thread tasks idempotent.
 */
import * as os from 'node:os';
import type { SubmitHooks, TaskSpec } from './backend';
import type { Executor, PoolOptions } from './executor';
import { assertCloneable, fromWireError, portableSource, type WireError } from './portable';
import { workerPath } from './worker-path';
import { TaskCancelledError, TaskError, WorkerCrashError } from '../engine/errors';
import { errorMessage, isError } from '../engine/realm';

type Piscina = import('piscina').Piscina;

interface Job {
  task: TaskSpec;
  source: string;
  hooks: SubmitHooks | null;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  solo: boolean;
  batch?: Batch;
}

interface Batch {
  jobs: Job[];
  ac: AbortController;
}

const MAX_BATCH = 256;

export class ThreadPoolExecutor implements Executor {
  readonly kind = 'threads';
  readonly maxWorkers: number;
  private pool?: Piscina;
  private readonly jobs = new Map<string, Job>();
  private pending: Job[] = [];
  private flushScheduled = false;

  constructor(opts: PoolOptions = {}) {
    this.maxWorkers = opts.maxWorkers ?? (typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
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
        concurrentTasksPerWorker: 4,
      });
    }
    return this.pool;
  }

  run(task: TaskSpec, hooks: SubmitHooks): Promise<unknown> {
    const source = portableSource(task.fn!, task.name);
    assertCloneable(task.args, task.name);
    return new Promise((resolve, reject) => {
      const job: Job = { task, source, hooks, resolve, reject, solo: task.timeoutMs !== undefined };
      this.jobs.set(task.id, job);
      this.enqueue(job);
    });
  }

  private enqueue(job: Job): void {
    this.pending.push(job);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    const jobs = this.pending;
    this.pending = [];
    const shared: Job[] = [];
    for (const job of jobs) (job.solo ? this.dispatch([job]) : shared.push(job));
    if (!shared.length) return;
    const size = Math.max(1, Math.min(MAX_BATCH, Math.ceil(shared.length / (this.maxWorkers * 4))));
    for (let i = 0; i < shared.length; i += size) this.dispatch(shared.slice(i, i + size));
  }

  private dispatch(jobs: Job[]): void {
    const batch: Batch = { jobs, ac: new AbortController() };
    for (const job of jobs) {
      job.batch = batch;
      job.hooks?.started();
      job.hooks = null;
    }
    const pool = this.startPool();
    if (jobs.length === 1) {
      const job = jobs[0];
      pool.run({ source: job.source, args: job.task.args }, { signal: batch.ac.signal }).then(
        (v) => this.settle(job, true, v),
        (err) => (batch.ac.signal.aborted ? this.afterAbort(batch) : this.settle(job, false, this.crashError(job, err))),
      );
      return;
    }
    const msg = { batch: jobs.map((j) => ({ source: j.source, args: j.task.args })) };
    pool.run(msg, { signal: batch.ac.signal }).then(
      (outcomes: Array<{ ok: boolean; value?: unknown; error?: WireError }>) => {
        for (let i = 0; i < jobs.length; i++) {
          const o = outcomes[i];
          this.settle(jobs[i], o.ok, o.ok ? o.value : fromWireError(o.error!));
        }
      },
      () => {
        if (batch.ac.signal.aborted) return this.afterAbort(batch);
        for (const job of jobs) this.requeue(job, true);
      },
    );
  }

  private crashError(job: Job, err: unknown): unknown {
    // piscina rejects with a bare {} when the result cannot be posted back (e.g. a function).
    if (!isError(err)) {
      return new TaskError(job.task.name, `task '${job.task.name}': its result could not be sent back from the worker thread (not structured-cloneable?)`);
    }
    const msg = errorMessage(err);
    if (!/worker exited|terminated/i.test(msg)) return err;
    return new WorkerCrashError(job.task.name, `task '${job.task.name}': its worker thread died (${msg}); the pool replaced it`, { cause: err });
  }

  /** A batch was aborted to cancel one of its tasks: the others go back to the queue. */
  private afterAbort(batch: Batch): void {
    for (const job of batch.jobs) this.requeue(job, job.solo);
  }

  private requeue(job: Job, solo: boolean): void {
    if (this.jobs.get(job.task.id) !== job) return; // cancelled or settled meanwhile
    job.solo = solo;
    job.batch = undefined;
    this.enqueue(job);
  }

  private settle(job: Job, ok: boolean, value: unknown): void {
    if (this.jobs.get(job.task.id) !== job) return;
    this.jobs.delete(job.task.id);
    if (ok) job.resolve(value);
    else job.reject(value);
  }

  cancel(id: string): boolean {
    const job = this.jobs.get(id);
    if (!job) return false;
    this.jobs.delete(id);
    const i = this.pending.indexOf(job);
    if (i >= 0) this.pending.splice(i, 1);
    job.batch?.ac.abort(); // terminates the thread running it; piscina starts another
    job.reject(new TaskCancelledError(job.task.name));
    return true;
  }

  async shutdown(): Promise<void> {
    for (const id of [...this.jobs.keys()]) this.cancel(id);
    const pool = this.pool;
    this.pool = undefined;
    await pool?.destroy();
  }
}
