/**
 * ProcessPoolExecutor: function tasks in long-lived node child processes (function-worker.ts over IPC,
 * structured-clone serialization), one task per worker at a time. Workers start on demand up to
 * `maxWorkers`. A worker that dies fails only the task it was running (WorkerCrashError) and is replaced
 * on the next task. Cancel or timeout of a running task kills its worker (SIGTERM, then SIGKILL).
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import type { SubmitHooks, TaskSpec } from './backend';
import { cancelQueued, DEFAULT_WORKER_HEAP_MB, type Executor, type PoolOptions } from './executor';
import { assertCloneable, fromWireError, portableSource, type WireError } from './portable';
import { workerPath } from './worker-path';
import { TaskCancelledError, TaskError, WorkerCrashError } from '../engine/errors';

interface Job {
  task: TaskSpec;
  source: string;
  hooks: SubmitHooks;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  cancelled?: boolean;
}

interface Worker {
  child: ChildProcess;
  job?: Job;
  exited: Promise<void>;
}

type Reply = { id?: string; ok?: boolean; value?: unknown; error?: WireError; ready?: boolean };

export class ProcessPoolExecutor implements Executor {
  readonly kind = 'processes';
  readonly maxWorkers: number;
  readonly maxHeapMb: number;
  private readonly workers = new Set<Worker>();
  private readonly queue: Job[] = [];
  private closed = false;

  private readonly killGraceMs: number;

  constructor(opts: PoolOptions & { killGraceMs?: number } = {}) {
    this.killGraceMs = opts.killGraceMs ?? 1000;
    this.maxWorkers = opts.maxWorkers ?? (typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
    this.maxHeapMb = opts.maxHeapMb ?? DEFAULT_WORKER_HEAP_MB;
  }

  run(task: TaskSpec, hooks: SubmitHooks): Promise<unknown> {
    if (this.closed) return Promise.reject(new TaskCancelledError(task.name, 'submitted after the process pool shut down'));
    const source = portableSource(task.fn!, task.name);
    assertCloneable(task.args, task.name);
    return new Promise((resolve, reject) => {
      this.queue.push({ task, source, hooks, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length) {
      let idle: Worker | undefined;
      for (const w of this.workers) if (!w.job) { idle = w; break; }
      if (!idle && this.workers.size < this.maxWorkers) idle = this.spawn();
      if (!idle) return;
      this.assign(idle, this.queue.shift()!);
    }
  }

  private spawn(): Worker {
    const child = fork(workerPath('function-worker'), [], {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [`--max-old-space-size=${this.maxHeapMb}`],
    });
    let onExit!: () => void;
    const w: Worker = { child, exited: new Promise<void>((res) => (onExit = res)) };
    this.workers.add(w);
    child.on('message', (msg: Reply) => {
      const job = w.job;
      if (!job || msg.id !== job.task.id) return;
      w.job = undefined;
      if (msg.ok) job.resolve(msg.value);
      else if (msg.error!.name === 'ResultCloneError') job.reject(new TaskError(job.task.name,
        `task '${job.task.name}': its result could not be sent back from the worker process (${msg.error!.message})`));
      else job.reject(fromWireError(msg.error!));
      this.pump();
    });
    child.on('error', () => {}); // 'exit' follows and handles the job
    child.on('exit', (code, signal) => {
      this.workers.delete(w);
      const job = w.job;
      w.job = undefined;
      if (job) {
        if (job.cancelled) job.reject(new TaskCancelledError(job.task.name));
        else job.reject(new WorkerCrashError(job.task.name,
          `task '${job.task.name}': its worker process exited (${signal ?? `code ${code}`}); the pool replaced it`));
      }
      onExit();
      if (!this.closed) this.pump();
    });
    return w;
  }

  private assign(w: Worker, job: Job): void {
    w.job = job;
    job.hooks.started();
    try {
      w.child.send({ id: job.task.id, source: job.source, args: job.task.args });
    } catch (err) {
      w.job = undefined;
      job.reject(err);
    }
  }

  cancel(id: string): boolean {
    if (cancelQueued(this.queue, id)) return true;
    for (const w of this.workers) {
      if (w.job?.task.id === id && !w.job.cancelled) {
        w.job.cancelled = true;
        this.stop(w);
        return true;
      }
    }
    return false;
  }

  private stop(w: Worker): void {
    w.child.kill('SIGTERM');
    const t = setTimeout(() => w.child.kill('SIGKILL'), this.killGraceMs);
    w.exited.then(() => clearTimeout(t));
  }

  async shutdown(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new TaskCancelledError(job.task.name, 'cancelled by shutdown'));
    const exits: Promise<void>[] = [];
    for (const w of this.workers) {
      if (w.job) w.job.cancelled = true;
      this.stop(w);
      exits.push(w.exited);
    }
    await Promise.all(exits);
  }
}
