/**
 * WorkerPool: function tasks on worker threads or worker processes (one implementation for both; the
 * transport differs). ThreadPoolExecutor and ProcessPoolExecutor are this pool with a transport.
 *
 * - States: a task is RUNNING when its worker reports that the body began, with the worker's own start time
 *   mapped onto this process's clock, and its slot (worker index, pid). Queue time is everything before.
 * - Dispatch: a worker gets a batch only when all it was sent has started and it runs no synchronous body,
 *   so CPU-bound tasks get one worker each. Batches are a quarter of a fair share (at most 256): tiny tasks
 *   cost one message per batch, and a long task cannot hold many others hostage on a busy worker.
 * - Async tasks overlap in a worker, up to `concurrentTasksPerWorker`; each replies on its own.
 * - Nothing runs twice: when a worker dies or is stopped, a task it had not started goes back to the queue,
 *   and a task it had started fails (WorkerCrashError). Threads decide "started" by compare-and-swap in shared
 *   memory, processes by the report each sends before a body.
 * - Cancel: queued, it never starts; sent but unstarted, it is revoked; running synchronously, its worker is
 *   stopped (the others on it that had started fail, the unstarted ones are re-queued); an async task that
 *   shares its worker with other started tasks is abandoned (rejected now, its result dropped) unless its
 *   worker stops answering within ABANDON_CHECK_MS, which means the task is spinning: then the worker is
 *   stopped.
 */
import type { SubmitHooks, TaskSpec } from '../backend';
import type { Executor } from '../executor';
import type { FromWorker, WireBatch, WorkerEvent } from './protocol';
import { checkPoolOptions, warnIfOversized, type CheckedPoolOptions, type PoolOptions } from './options';
import { startProcess, startThread, type WorkerHandle, type WorkerSpec, type WorkerEvents } from './transports';
import { assertCloneable, portableFunction, type ShippedFunction } from '../portable';
import { fromWire } from '../../engine/wire-errors';
import { TaskCancelledError, TaskError, WorkerCrashError } from '../../engine/errors';
import { isError, safeName } from '../../engine/realm';
import type { Job, PoolWorker } from './pool-state';

const MAX_BATCH = 256;
const ABANDON_CHECK_MS = 100;

export type Transport = 'threads' | 'processes';

export class WorkerPool implements Executor {
  readonly options: CheckedPoolOptions;
  private readonly slots: Array<PoolWorker | undefined>;
  private queue: Job[] = [];
  private readonly jobs = new Map<string, Job>();
  private dispatchQueued = false;
  private closed = false;
  private pingSeq = 0;

  constructor(
    readonly kind: Transport,
    opts?: PoolOptions,
  ) {
    const where = kind === 'threads' ? 'ThreadPoolExecutor' : 'ProcessPoolExecutor';
    this.options = checkPoolOptions(opts, where);
    this.slots = new Array(this.options.maxWorkers).fill(undefined);
    warnIfOversized(kind, this.options.maxWorkers);
  }

  get maxWorkers(): number {
    return this.options.maxWorkers;
  }

  get maxHeapMb(): number {
    return this.options.maxHeapMb;
  }

  /** Threads start at once (a warm pool for the first batch); processes on demand. */
  async init(): Promise<void> {
    if (this.kind !== 'threads') return;
    const started = Math.min(this.options.maxWorkers, 2);
    for (let i = 0; i < started; i++) this.spawn(i);
  }

  run(task: TaskSpec, hooks: SubmitHooks): Promise<unknown> {
    if (this.closed) return Promise.reject(new TaskCancelledError(task.name, `submitted after the ${this.kind} pool shut down`));
    const shipped = portableFunction(task.fn!, task.name);
    assertCloneable(task.args, task.name);
    return new Promise((resolve, reject) => {
      const job: Job = { task, shipped, hooks, resolve, reject, phase: 'queued', worker: null, seq: 0, settled: false, stopping: false };
      this.jobs.set(task.id, job);
      this.queue.push(job);
      this.dispatchSoon();
    });
  }

  private dispatchSoon(): void {
    if (this.dispatchQueued) return;
    this.dispatchQueued = true;
    queueMicrotask(() => this.dispatch());
  }

  private dispatch(): void {
    this.dispatchQueued = false;
    if (this.closed || !this.queue.length) return;
    let live = 0;
    for (const w of this.slots) if (w && !w.stopping) live++;
    let missing = this.queue.length;
    for (const w of this.slots) {
      if (!this.queue.length) break;
      if (!w || !w.ready || w.stopping || w.unstarted || w.running) continue;
      const room = this.options.concurrentTasksPerWorker - w.yielded;
      if (room <= 0) continue;
      const fair = Math.ceil(this.queue.length / (Math.max(live, 1) * 4));
      const n = Math.max(1, Math.min(this.queue.length, MAX_BATCH, w.yielded ? room : MAX_BATCH, fair));
      this.send(w, this.queue.splice(0, n));
      missing = this.queue.length;
    }
    // Still queued: start workers up to the limit (each takes work once it is ready).
    for (let i = 0; i < this.slots.length && missing > 0; i++) {
      const w = this.slots[i];
      if (!w) this.spawn(i), missing--;
      else if (!w.ready) missing--;
    }
  }

  private send(w: PoolWorker, jobs: Job[]): void {
    const n = jobs.length;
    const batch: WireBatch = { sources: [], names: [], origins: [], ids: new Array(n), source: new Array(n), args: new Array(n), seq: w.seq + 1, report: [] };
    let last: ShippedFunction | null = null;
    for (let i = 0; i < n; i++) {
      const job = jobs[i];
      const t = job.task;
      job.phase = 'sent';
      job.worker = w;
      job.seq = ++w.seq;
      w.handle.arm?.(job.seq);
      w.jobs.set(t.id, job);
      if (job.shipped !== last) {
        last = job.shipped;
        batch.sources.push(last.source), batch.names.push(t.name), batch.origins.push(last.origin ?? null);
      }
      batch.ids[i] = t.id;
      batch.source[i] = batch.sources.length - 1;
      batch.args[i] = t.args;
      if (t.timeoutMs !== undefined) batch.report.push(i);
    }
    w.unstarted += jobs.length;
    try {
      w.handle.post({ type: 'run', batch });
    } catch (err) {
      // The transport could not serialize the batch (args passed assertCloneable yet failed): fail it whole.
      for (const job of jobs) {
        w.jobs.delete(job.task.id);
        w.unstarted--;
        this.settle(job, false, new TaskError(job.task.name, `task '${job.task.name}': could not be sent to a worker (${isError(err) ? err.message : String(err)})`));
      }
    }
  }

  private spawn(index: number): void {
    const spec: WorkerSpec = { concurrency: this.options.concurrentTasksPerWorker, maxHeapMb: this.options.maxHeapMb };
    let onExit!: () => void;
    const w: PoolWorker = {
      index, handle: undefined as unknown as WorkerHandle, offset: 0, ready: false, gone: false, stopping: null,
      jobs: new Map(), unstarted: 0, running: 0, yielded: 0, seq: 0, pings: new Map(),
      exited: new Promise<void>((res) => (onExit = res)),
    };
    const events: WorkerEvents = {
      message: (m) => this.onMessage(w, m),
      stray: (stream, text) => this.stray(w, stream, text),
      exit: (why) => {
        this.onExit(w, why);
        onExit();
      },
    };
    this.slots[index] = w;
    try {
      w.handle = this.kind === 'threads' ? startThread(spec, events) : startProcess(spec, events);
    } catch (err) {
      this.slots[index] = undefined;
      onExit();
      for (const job of this.queue.splice(0)) this.settle(job, false, new WorkerCrashError(job.task.name, `task '${job.task.name}': no ${this.kind} worker could start (${isError(err) ? err.message : String(err)})`));
    }
  }

  private onMessage(w: PoolWorker, m: FromWorker): void {
    switch (m.type) {
      case 'ready':
        w.ready = true;
        w.pid = m.pid;
        w.offset = m.origin - performance.timeOrigin;
        if (this.closed) this.stop(w, 'because the pool shut down');
        else this.dispatchSoon();
        return;
      case 'pong':
        w.pings.get(m.n)?.();
        w.pings.delete(m.n);
        return;
      case 'events':
        for (const e of m.events) this.onEvent(w, e);
        this.dispatchSoon();
        return;
    }
  }

  private onEvent(w: PoolWorker, e: WorkerEvent): void {
    if (e.type === 'output') return this.output(w, e.id, e.stream, e.text);
    const job = w.jobs.get(e.id);
    if (!job) return;
    switch (e.type) {
      case 'started':
        job.phase = 'running';
        w.unstarted--;
        w.running++;
        // Revoke lost the race: the cancelled task began before the pool could take it back.
        if (job.settled) return this.stop(w, `to cancel task '${job.task.name}'`);
        job.hooks.started({ time: e.t + w.offset, slot: { worker: w.index, pid: w.pid } });
        return;
      case 'yielded':
        job.phase = 'yielded';
        w.running--;
        w.yielded++;
        return;
      case 'revoked':
        w.jobs.delete(e.id);
        w.unstarted--;
        if (!job.settled) this.requeue(job);
        return;
      case 'ran':
        w.jobs.delete(e.id);
        w.unstarted--;
        if (job.stopping) return this.settle(job, false, new TaskCancelledError(job.task.name));
        if (job.settled) return;
        job.hooks.started({ time: e.t0 + w.offset, slot: { worker: w.index, pid: w.pid } });
        job.hooks.finished?.(e.t + w.offset);
        return this.settle(job, true, e.value);
      case 'done': {
        w.jobs.delete(e.id);
        if (job.phase === 'yielded') w.yielded--;
        else if (job.phase === 'running') w.running--;
        else w.unstarted--;
        // Cancelled while its worker stops: the body ended first, the task still counts as cancelled.
        if (job.stopping) return this.settle(job, false, new TaskCancelledError(job.task.name));
        if (job.settled) return;
        job.hooks.finished?.(e.t + w.offset);
        if (e.ok) this.settle(job, true, e.value);
        else this.settle(job, false, this.rebuild(job, fromWire(e.error, job.task.name)));
        return;
      }
    }
  }

  private rebuild(job: Job, err: unknown): unknown {
    if (isError(err) && safeName(err) === 'ResultCloneError') {
      return new TaskError(job.task.name, `task '${job.task.name}': ${err.message}`);
    }
    return err;
  }

  private output(w: PoolWorker, id: string | null, stream: 'stdout' | 'stderr', text: string): void {
    const job = id === null ? undefined : this.jobs.get(id);
    if (job) return job.hooks.output?.(stream, text);
    this.stray(w, stream, text);
  }

  /** Output of no task (written between tasks, or by native code): to the oldest task on that worker. */
  private stray(w: PoolWorker, stream: 'stdout' | 'stderr', text: string): void {
    for (const job of w.jobs.values()) if (!job.settled && job.phase !== 'sent') return job.hooks.output?.(stream, text);
    process.stderr.write(`[${this.kind} worker ${w.index}] ${text}`);
  }

  private requeue(job: Job): void {
    job.phase = 'queued';
    job.worker = null;
    this.queue.unshift(job);
    this.dispatchSoon();
  }

  private settle(job: Job, ok: boolean, value: unknown): void {
    if (job.settled) return;
    job.settled = true;
    if (this.jobs.get(job.task.id) === job) this.jobs.delete(job.task.id);
    if (ok) job.resolve(value);
    else job.reject(value);
  }

  private onExit(w: PoolWorker, why: string): void {
    w.gone = true;
    if (this.slots[w.index] === w) this.slots[w.index] = undefined;
    for (const job of w.jobs.values()) {
      if (job.settled) continue;
      if (job.stopping) {
        this.settle(job, false, new TaskCancelledError(job.task.name));
        continue;
      }
      // A sent task the worker never reported: threads settle it by the claim; processes report every start.
      const neverStarted = job.phase === 'sent' && (w.handle.revoke ? w.handle.revoke(job.seq) : true);
      if (neverStarted) {
        this.requeue(job);
        continue;
      }
      const name = job.task.name;
      const worker = this.kind === 'threads' ? 'worker thread' : 'worker process';
      const msg = w.stopping
        ? `task '${name}' was stopped with its ${worker}, which was stopped ${w.stopping}`
        : `task '${name}': its ${worker} ${this.kind === 'threads' ? 'died' : 'exited'} (${why}); the pool replaced it`;
      this.settle(job, false, new WorkerCrashError(name, msg));
    }
    w.jobs.clear();
    for (const done of w.pings.values()) done();
    if (!this.closed) this.dispatchSoon();
  }

  private stop(w: PoolWorker, why: string): void {
    if (w.stopping || w.gone) return;
    w.stopping = why;
    // Threads: take back what has not started now, so it runs elsewhere without waiting for the exit.
    if (w.handle.revoke) {
      for (const job of w.jobs.values()) {
        if (job.phase === 'sent' && !job.settled && w.handle.revoke(job.seq)) {
          w.jobs.delete(job.task.id);
          w.unstarted--;
          this.requeue(job);
        }
      }
    }
    w.handle.stop(this.options.killGraceMs);
  }

  /** Stops `w` unless it answers within ABANDON_CHECK_MS (then the cancelled task is async and abandoned). */
  private checkAlive(w: PoolWorker, why: string): void {
    const n = ++this.pingSeq;
    const timer = setTimeout(() => {
      w.pings.delete(n);
      this.stop(w, why);
    }, ABANDON_CHECK_MS);
    w.pings.set(n, () => clearTimeout(timer));
    w.handle.post({ type: 'ping', n });
  }

  cancel(id: string): boolean {
    const job = this.jobs.get(id);
    if (!job || job.settled || job.stopping) return false;
    const w = job.worker;
    const name = job.task.name;
    const why = `to cancel task '${name}'`;
    // Stopping its worker: the task is cancelled once the worker is gone (a SIGTERM-deaf one included).
    const stopFor = (): true => {
      job.stopping = true;
      this.stop(w!, why);
      return true;
    };
    if (job.phase === 'running' || (job.phase === 'yielded' && w!.running + w!.yielded === 1)) return stopFor();
    this.settle(job, false, new TaskCancelledError(name));
    switch (job.phase) {
      case 'queued':
        this.queue.splice(this.queue.indexOf(job), 1);
        return true;
      case 'sent':
        if (!w!.handle.revoke) w!.handle.post({ type: 'revoke', id });
        else if (w!.handle.revoke(job.seq)) {
          w!.jobs.delete(id);
          w!.unstarted--;
        } else this.checkAlive(w!, why); // started, not yet reported: sync (stuck) or async (free)
        return true;
      case 'yielded':
        // Others run on this worker: abandon this one, unless the worker has stopped answering (it spins).
        this.checkAlive(w!, why);
        return true;
    }
  }

  async shutdown(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) this.settle(job, false, new TaskCancelledError(job.task.name, 'cancelled by shutdown'));
    for (const job of [...this.jobs.values()]) {
      if (!job.stopping) this.settle(job, false, new TaskCancelledError(job.task.name, 'cancelled by shutdown'));
    }
    const exits: Promise<void>[] = [];
    for (const w of this.slots) {
      if (!w) continue;
      this.stop(w, 'because the pool shut down');
      exits.push(w.exited);
    }
    await Promise.all(exits);
  }
}

/** Function tasks on worker_threads. */
export class ThreadPoolExecutor extends WorkerPool {
  constructor(opts?: PoolOptions) {
    super('threads', opts);
  }
}

/** Function tasks in node child processes (structured-clone IPC). */
export class ProcessPoolExecutor extends WorkerPool {
  constructor(opts?: PoolOptions) {
    super('processes', opts);
  }
}
