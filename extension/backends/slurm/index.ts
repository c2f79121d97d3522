/**
 * SlurmExecutionBackend: the HPC path. The same workflow moves from the thread pool to a SLURM cluster by
 * changing one line: `new SlurmExecutionBackend({ partition: 'debug' })` (or `%backend slurm debug`).
 *
 * Modes, and why the pilot is the default (tests/bench/slurm.bench.ts: 200 `true` tasks, 2 at once, on the 2-CPU
 * single-node SLURM, two runs): raw `srun true` loop 3.9 / 2.4 tasks/s, srun mode 3.7 / 2.6, pilot 86.5 / 97
 * (22x / 40x, cold start included); submit-to-start p50 43-81 ms raw srun, 1.8 ms pilot. Per-task srun is bound
 * by the scheduler, and more jobs at once only queue for its next pass; the pilot pays that once.
 * - 'pilot' (default): srun jobs (one node each) hold allocations and run an agent; tasks are streamed to it
 *   over an authenticated connection the agent opens back to us (channel.ts), and state changes come back on
 *   it (pushed, not polled). Pilots start and end with the work (pool.ts: minPilots, maxPilots, idleTimeout).
 * - 'srun': one srun (its own job) per task, at most `maxConcurrent` at once.
 * - 'sbatch': one `sbatch --wait` per task, for sites that forbid interactive srun; slowest.
 * A task with `taskDescription.slurm` options runs as its own job step in the pilot's allocation
 * (`srun --jobid=J --overlap <options>`), so its options reach srun and cancel targets exactly that step.
 */
import type { Backend, SubmitHooks, TaskSpec } from '../backend';
import { assertCloneable, portableFunction } from '../portable';
import { bindAddress } from './address';
import { checkController, scancel, slurmCmd } from './cli';
import { DEFAULT_MAX_FRAME } from './frames';
import { Pilot } from './pilot';
import { PilotPool } from './pool';
import { encodeValue, type AgentJob } from './protocol';
import { runSbatch, type SbatchRun } from './sbatch';
import { SrunCommand } from './step';
import { Limiter } from '../proc/limiter';
import { checkSlurmOptions } from './options';
import { ArgumentCloneError, InvalidTaskError, TaskCancelledError } from '../../engine/errors';

export { SlurmJobEndedError } from './errors';

export type SlurmMode = 'pilot' | 'srun' | 'sbatch';

export interface SlurmOptions {
  partition?: string;
  account?: string;
  /** Pilot mode: the most pilot jobs (one node each) at once; same as `maxPilots` (kept for old code). */
  nodes?: number;
  /** Pilot mode: pilots kept running even when idle (default 0: scale from zero). */
  minPilots?: number;
  /** Pilot mode: the most pilots at once (default `nodes`, else 1). */
  maxPilots?: number;
  /** Pilot mode: seconds a pilot with nothing to run keeps its allocation (default 300; 0 = hold it). */
  idleTimeout?: number;
  cpusPerTask?: number;
  /** SLURM time limit for pilot/task jobs, e.g. '01:00:00' or minutes. */
  timeLimit?: string | number;
  mode?: SlurmMode;
  /** Pilot mode: tasks run at once per pilot (default: the node's CPUs / cpusPerTask). */
  slots?: number;
  /** srun/sbatch modes: jobs in flight at once (default 8). */
  maxConcurrent?: number;
  /** Encrypt the pilot channel (TLS 1.2 with the pilot's key as PSK); default off, or FLOWBOOK_SLURM_TLS=1. */
  tls?: boolean;
  /** Largest task value (args or result) through the pilot channel, in MB (default 512). */
  maxMessageMb?: number;
}

type Active = Pilot | SbatchRun | SrunCommand;

export class SlurmExecutionBackend implements Backend {
  readonly name = 'slurm';
  readonly mode: SlurmMode;
  private nodeCpus = 1;
  private bindHost = '127.0.0.1';
  private initialized?: Promise<void>;
  private pool?: PilotPool;
  private active = new Map<string, Active>();
  /** srun and sbatch modes: at most `maxConcurrent` jobs in flight, the rest wait here. */
  private readonly limiter: Limiter<string>;
  private closed = false;
  private ourJobs = new Set<string>();
  private ourNames = new Set<string>();
  /** Tasks inside submit() and not yet handed on: a cancel then marks them, and they never start. */
  private entering = new Map<string, { cancelled: boolean }>();

  constructor(readonly options: SlurmOptions = {}) {
    checkSlurmOptions(options);
    this.mode = options.mode ?? 'pilot';
    this.limiter = new Limiter(options.maxConcurrent ?? 8);
  }

  get maxPilots(): number {
    return Math.max(1, this.options.maxPilots ?? this.options.nodes ?? 1);
  }

  init(): Promise<void> {
    return (this.initialized ??= (async () => {
      await checkController(this.options.partition);
      const p = this.options.partition ? ['-p', this.options.partition] : [];
      const cpus = await slurmCmd('sinfo', ['-h', ...p, '-o', '%c']);
      this.nodeCpus = Math.max(1, ...cpus.stdout.split('\n').map((s) => parseInt(s, 10)).filter((n) => n > 0));
      this.bindHost = await bindAddress();
      if (this.mode === 'pilot') {
        this.pool = new PilotPool({
          min: this.options.minPilots ?? 0, max: this.maxPilots, idleMs: (this.options.idleTimeout ?? 300) * 1000,
          newPilot: () => this.newPilot(),
        });
        this.pool.warm();
      }
    })());
  }

  async submit(task: TaskSpec, hooks: SubmitHooks): Promise<unknown> {
    if (this.closed) throw new TaskCancelledError(task.name, 'submitted after the SLURM backend shut down');
    const { job, value } = this.toAgentJob(task); // closure / clone errors fail here, before any SLURM work
    const entry = { cancelled: false };
    this.entering.set(task.id, entry);
    try {
      await this.init();
    } finally {
      this.entering.delete(task.id);
    }
    if (entry.cancelled) throw new TaskCancelledError(task.name, 'cancelled before it was submitted to SLURM');
    const cap = (this.maxFrame ?? DEFAULT_MAX_FRAME) - 65536;
    if (value && value.length > cap) {
      throw new ArgumentCloneError(task.name, `task '${task.name}': arguments of ${(value.length / 1048576).toFixed(1)} MB are over the channel's cap of ${(cap / 1048576).toFixed(1)} MB (maxMessageMb)`);
    }
    const once = onceHooks(hooks);
    const extra = slurmOptions(task);
    if (this.mode === 'pilot') {
      if (!extra.length) return this.pool!.run(job, value, once);
      this.entering.set(task.id, entry);
      let pilot: Pilot;
      try {
        pilot = await this.pool!.anyRunning();
      } finally {
        this.entering.delete(task.id);
      }
      if (entry.cancelled) throw new TaskCancelledError(task.name, 'cancelled before it was submitted to SLURM');
      // Own step inside the pilot's allocation so the options apply and cancel hits exactly this step.
      return this.runOwn(task, job, value, ['--jobid=' + pilot.jobId, '--overlap', '-N1', '-n1', ...extra], false, once);
    }
    return this.limiter.run(task.id, async () => {
      try {
        if (this.mode === 'sbatch') {
          const run = runSbatch(task, job, value, [...this.resourceArgs(this.cpusPerTask), ...extra], once);
          this.active.set(task.id, run);
          run.submitted.then((id) => this.ourJobs.add(id), () => {});
          return await run.result;
        }
        return await this.runOwn(task, job, value, [...this.resourceArgs(this.cpusPerTask), ...extra], true, once);
      } finally {
        this.active.delete(task.id);
      }
    });
  }

  async cancel(id: string): Promise<boolean> {
    const e = this.entering.get(id);
    if (e) {
      e.cancelled = true;
      return true;
    }
    if (this.limiter.cancel(id, new TaskCancelledError(id, 'cancelled before it was submitted to SLURM'))) return true;
    const a = this.active.get(id);
    if (a) return a.cancel(id);
    return this.pool ? this.pool.cancel(id) : false;
  }

  /** Cancels everything, scancels our jobs and waits until squeue no longer lists them. Idempotent. */
  async shutdown(): Promise<void> {
    this.closed = true;
    for (const e of this.entering.values()) e.cancelled = true;
    this.limiter.clear((id) => new TaskCancelledError(id, 'cancelled: the SLURM backend shut down'));
    await Promise.all([...new Set<Active>(this.active.values())].map((a) => a.close()));
    await this.pool?.close();
    await this.waitGone();
  }

  /** What `%backend slurm` shows: where tasks will run and with which limits. */
  async describe(): Promise<string> {
    await this.init();
    const o = this.options;
    const part = o.partition ?? (await slurmCmd('sinfo', ['-h', '-o', '%P'])).stdout.split('\n').find((l) => l.endsWith('*'))?.slice(0, -1) ?? '(default)';
    const info = await slurmCmd('sinfo', ['-h', '-p', part, '-o', '%D %N %c %l %T']);
    const [count, nodes, cpus, limit] = info.stdout.trim().split('\n')[0]?.split(/\s+/) ?? [];
    const lines = [
      `SLURM ${this.mode} mode, partition ${part}: ${count ?? '?'} node(s) ${nodes ?? '?'}, ${cpus ?? '?'} CPUs each, partition time limit ${limit ?? '?'}`,
    ];
    if (this.mode === 'pilot') {
      lines.push(`pilots: ${o.minPilots ?? 0} to ${this.maxPilots}, ${this.slotsPerPilot} slot(s) each (${this.cpusPerTask} CPU(s) per task), ` +
        `idle timeout ${(o.idleTimeout ?? 300) === 0 ? 'none (held)' : `${o.idleTimeout ?? 300} s`}, time limit ${o.timeLimit ?? 'partition default'}`);
      lines.push(`channel: ${this.bindHost}, HMAC-signed frames${this.tls ? ', TLS-PSK' : ''}, at most ${o.maxMessageMb ?? 512} MB per value`);
    } else lines.push(`at most ${o.maxConcurrent ?? 8} jobs in flight, time limit ${o.timeLimit ?? 'partition default'}`);
    if (o.account) lines.push(`account ${o.account}`);
    return lines.join('\n');
  }

  private get cpusPerTask(): number {
    return this.options.cpusPerTask ?? 1;
  }

  private get slotsPerPilot(): number {
    return this.options.slots ?? Math.max(1, Math.floor(this.nodeCpus / this.cpusPerTask));
  }

  private get tls(): boolean {
    return this.options.tls ?? process.env.FLOWBOOK_SLURM_TLS === '1';
  }

  private resourceArgs(cpus: number): string[] {
    const o = this.options;
    return [
      '-N1', '-n1', `--cpus-per-task=${cpus}`,
      ...(o.partition ? [`--partition=${o.partition}`] : []),
      ...(o.account ? [`--account=${o.account}`] : []),
      ...(o.timeLimit !== undefined ? [`--time=${o.timeLimit}`] : []),
    ];
  }

  private toAgentJob(task: TaskSpec): { job: AgentJob; value?: Buffer } {
    const cwd = task.cwd ?? process.cwd();
    if (task.kind === 'executable') {
      if (!task.command && !task.argv) throw new InvalidTaskError(task.name, `task '${task.name}': executable task without a command`);
      const command = task.command ?? task.argv!.join(' ');
      return { job: { type: 'exec', id: task.id, name: task.name, command, argv: task.argv, cwd, env: task.env } };
    }
    const shipped = task.fn ? portableFunction(task.fn, task.name) : task.source ? { source: task.source } : null;
    if (!shipped) throw new InvalidTaskError(task.name, `task '${task.name}': function task without a function`);
    assertCloneable(task.args, task.name);
    const job: AgentJob = { type: 'function', id: task.id, name: task.name, source: shipped.source, cwd };
    if (shipped.origin) job.origin = shipped.origin;
    return { job, value: encodeValue(task.args) };
  }

  private newPilot(): Pilot {
    const slots = this.slotsPerPilot;
    const cpus = Math.min(this.nodeCpus, slots * this.cpusPerTask);
    const pilot = new Pilot({
      srunArgs: this.resourceArgs(cpus), slots, ownJob: true, bindHost: this.bindHost, tls: this.tls, maxFrame: this.maxFrame,
      onFree: (p) => this.pool?.onFree(p), onExit: (p) => this.pool?.onExit(p),
    });
    pilot.started.then(() => this.ourJobs.add(pilot.jobId), () => {});
    this.ourNames.add(pilot.name);
    return pilot;
  }

  private get maxFrame(): number | undefined {
    return this.options.maxMessageMb ? Math.ceil(this.options.maxMessageMb * 1024 * 1024) + 65536 : undefined;
  }

  /** One task as its own srun job or step: bash directly for executables, a one-slot agent for functions. */
  private runOwn(task: TaskSpec, job: AgentJob, value: Buffer | undefined, srunArgs: string[], ownJob: boolean, hooks: SubmitHooks): Promise<unknown> {
    const env = { ...process.env, ...task.env };
    if (job.type === 'exec') {
      const c = new SrunCommand({ srunArgs, ownJob, command: job.command, argv: job.argv, cwd: job.cwd, env, hooks, taskName: job.name });
      if (ownJob) c.started.then((id) => this.ourJobs.add(id));
      return this.track(task.id, c, c.result);
    }
    const p = new Pilot({ srunArgs, slots: 1, ownJob, singleUse: true, cwd: task.cwd, env, bindHost: this.bindHost, tls: this.tls, maxFrame: this.maxFrame });
    if (ownJob) p.started.then(() => this.ourJobs.add(p.jobId), () => {});
    return this.track(task.id, p, p.run(job, value, hooks));
  }

  private async track(id: string, a: Active, result: Promise<unknown>): Promise<unknown> {
    this.active.set(id, a);
    try {
      return await result;
    } finally {
      if (this.active.get(id) === a) this.active.delete(id);
    }
  }

  /** Bounded concurrency for srun/sbatch modes: more jobs at once only queue in the scheduler. */
  /**
   * Until squeue lists none of our jobs. A pilot closed while srun was still asking for its allocation can leave
   * a job that srun never reported (it was killed before it knew the id): those are found by name and cancelled.
   */
  private async waitGone(): Promise<void> {
    if (!this.ourJobs.size && !this.ourNames.size) return;
    for (let i = 0; i < 100; i++) {
      const r = await slurmCmd('squeue', ['-h', '-o', '%i %j']);
      if (r.code !== 0) break;
      const left = r.stdout.split('\n').map((l) => l.trim().split(' ')).filter(([id, name]) => this.ourJobs.has(id) || this.ourNames.has(name));
      if (!left.length) break;
      if (i % 10 === 0) await Promise.all(left.map(([id]) => scancel(id)));
      await new Promise((res) => setTimeout(res, 100));
    }
    this.ourJobs.clear();
    this.ourNames.clear();
  }
}

function slurmOptions(task: TaskSpec): string[] {
  const s = task.taskDescription?.slurm;
  if (s === undefined) return [];
  if (!Array.isArray(s) || !s.every((x) => typeof x === 'string')) {
    throw new InvalidTaskError(task.name, `task '${task.name}': taskDescription.slurm must be an array of srun options, e.g. ['--mem=100M']`);
  }
  return s;
}

function onceHooks(hooks: SubmitHooks): SubmitHooks {
  let done = false;
  return {
    started: (info) => (done ? undefined : ((done = true), hooks.started(info))),
    waiting: (detail) => (done ? undefined : hooks.waiting?.(detail)),
    output: hooks.output?.bind(hooks),
    finished: hooks.finished?.bind(hooks),
  };
}
