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
 * Each mode is a launcher (launcher.ts has the contract; launch-pilot.ts, launch-srun.ts, launch-sbatch.ts).
 * This class does what they share: it checks options and tasks, checks the controller, holds submits until
 * init is done, and at shutdown waits until squeue no longer lists the jobs they started.
 */
import type { Backend, SubmitHooks, TaskSpec } from '../backend';
import { assertCloneable, portableFunction } from '../portable';
import { bindAddress } from './address';
import { checkController, scancel, slurmCmd } from './cli';
import { DEFAULT_MAX_FRAME } from './frames';
import { maxPilots, PilotLauncher } from './launch-pilot';
import { SbatchLauncher } from './launch-sbatch';
import { SrunLauncher } from './launch-srun';
import type { LaunchContext, SlurmLauncher } from './launcher';
import type { PilotPool } from './pool';
import { encodeValue, type AgentJob } from './protocol';
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

/** The launcher of each mode (launcher.ts has the contract), chosen once, when the backend is made. */
export function launcherFor(mode: SlurmMode, ctx: LaunchContext): SlurmLauncher {
  if (mode === 'srun') return new SrunLauncher(ctx);
  if (mode === 'sbatch') return new SbatchLauncher(ctx);
  return new PilotLauncher(ctx);
}

export class SlurmExecutionBackend implements Backend {
  readonly name = 'slurm';
  readonly mode: SlurmMode;
  private readonly site: Site;
  private readonly launcher: SlurmLauncher;
  private initialized?: Promise<void>;
  private closed = false;
  /** Tasks inside submit() and not yet handed on: a cancel then marks them, and they never start. */
  private entering = new Map<string, { cancelled: boolean }>();

  constructor(readonly options: SlurmOptions = {}) {
    checkSlurmOptions(options);
    this.mode = options.mode ?? 'pilot';
    this.site = new Site(options);
    this.launcher = launcherFor(this.mode, this.site);
  }

  get maxPilots(): number {
    return maxPilots(this.options);
  }

  /** Pilot mode's pool, made in init; the scaling, nodes, orphans and attack tests read its pilots. */
  private get pool(): PilotPool | undefined {
    return this.launcher instanceof PilotLauncher ? this.launcher.pool : undefined;
  }

  init(): Promise<void> {
    return (this.initialized ??= (async () => {
      await this.site.discover();
      await this.launcher.init();
    })());
  }

  async submit(task: TaskSpec, hooks: SubmitHooks): Promise<unknown> {
    if (this.closed) throw new TaskCancelledError(task.name, 'submitted after the SLURM backend shut down');
    const { job, value } = toAgentJob(task); // closure / clone errors fail here, before any SLURM work
    const entry = { cancelled: false };
    this.entering.set(task.id, entry);
    try {
      await this.init();
    } finally {
      this.entering.delete(task.id);
    }
    if (entry.cancelled) throw new TaskCancelledError(task.name, 'cancelled before it was submitted to SLURM');
    const cap = (this.site.maxFrame ?? DEFAULT_MAX_FRAME) - 65536;
    if (value && value.length > cap) {
      const mb = (n: number) => (n / 1048576).toFixed(1);
      const why = `arguments of ${mb(value.length)} MB are over the channel's cap of ${mb(cap)} MB (maxMessageMb)`;
      throw new ArgumentCloneError(task.name, `task '${task.name}': ${why}`);
    }
    const slurm = slurmOptions(task);
    return this.launcher.submit({ spec: task, job, value, slurm }, onceHooks(hooks));
  }

  async cancel(id: string): Promise<boolean> {
    const e = this.entering.get(id);
    if (e) {
      e.cancelled = true;
      return true;
    }
    return this.launcher.cancel(id);
  }

  /** Cancels everything, scancels our jobs and waits until squeue no longer lists them. Idempotent. */
  async shutdown(): Promise<void> {
    this.closed = true;
    for (const e of this.entering.values()) e.cancelled = true;
    await this.launcher.shutdown();
    await this.site.waitGone();
  }

  /** What `%backend slurm` shows: where tasks will run and with which limits. */
  async describe(): Promise<string> {
    await this.init();
    const o = this.options;
    const part = o.partition ?? (await defaultPartition()) ?? '(default)';
    const info = await slurmCmd('sinfo', ['-h', '-p', part, '-o', '%D %N %c %l %T']);
    const [count, nodes, cpus, limit] = info.stdout.trim().split('\n')[0]?.split(/\s+/) ?? [];
    const lines = [
      `SLURM ${this.mode} mode, partition ${part}: ${count ?? '?'} node(s) ${nodes ?? '?'}, ` +
        `${cpus ?? '?'} CPUs each, partition time limit ${limit ?? '?'}`,
      ...this.launcher.describe(),
    ];
    if (o.account) lines.push(`account ${o.account}`);
    return lines.join('\n');
  }
}

/** The launchers' context: the options, what init learns of the partition, and the jobs we started. */
class Site implements LaunchContext {
  nodeCpus = 1;
  bindHost = '127.0.0.1';
  private jobs = new Set<string>();
  private names = new Set<string>();

  constructor(readonly options: SlurmOptions) {}

  /** Fails at once when slurmctld or the partition is not there; then the node size and our address. */
  async discover(): Promise<void> {
    await checkController(this.options.partition);
    const p = this.options.partition ? ['-p', this.options.partition] : [];
    const cpus = await slurmCmd('sinfo', ['-h', ...p, '-o', '%c']);
    this.nodeCpus = Math.max(1, ...cpus.stdout.split('\n').map((s) => parseInt(s, 10)).filter((n) => n > 0));
    this.bindHost = await bindAddress();
  }

  get cpusPerTask(): number {
    return this.options.cpusPerTask ?? 1;
  }

  get tls(): boolean {
    return this.options.tls ?? process.env.FLOWBOOK_SLURM_TLS === '1';
  }

  get maxFrame(): number | undefined {
    const mb = this.options.maxMessageMb;
    return mb ? Math.ceil(mb * 1024 * 1024) + 65536 : undefined;
  }

  resourceArgs(cpus: number): string[] {
    const o = this.options;
    return [
      '-N1', '-n1', `--cpus-per-task=${cpus}`,
      ...(o.partition ? [`--partition=${o.partition}`] : []),
      ...(o.account ? [`--account=${o.account}`] : []),
      ...(o.timeLimit !== undefined ? [`--time=${o.timeLimit}`] : []),
    ];
  }

  ownJob(id: string): void {
    this.jobs.add(id);
  }

  ownName(name: string): void {
    this.names.add(name);
  }

  /**
   * Until squeue lists none of our jobs. A pilot closed while srun was still asking for its allocation can leave
   * a job that srun never reported (it was killed before it knew the id): those are found by name and cancelled.
   */
  async waitGone(): Promise<void> {
    if (!this.jobs.size && !this.names.size) return;
    for (let i = 0; i < 100; i++) {
      const r = await slurmCmd('squeue', ['-h', '-o', '%i %j']);
      if (r.code !== 0) break;
      const left = r.stdout.split('\n').map((l) => l.trim().split(' '))
        .filter(([id, name]) => this.jobs.has(id) || this.names.has(name));
      if (!left.length) break;
      if (i % 10 === 0) await Promise.all(left.map(([id]) => scancel(id)));
      await new Promise((res) => setTimeout(res, 100));
    }
    this.jobs.clear();
    this.names.clear();
  }
}

/** The partition sinfo marks with '*'. */
async function defaultPartition(): Promise<string | undefined> {
  const r = await slurmCmd('sinfo', ['-h', '-o', '%P']);
  return r.stdout.split('\n').find((l) => l.endsWith('*'))?.slice(0, -1);
}

function toAgentJob(task: TaskSpec): { job: AgentJob; value?: Buffer } {
  const cwd = task.cwd ?? process.cwd();
  if (task.kind === 'executable') {
    if (!task.command && !task.argv) {
      throw new InvalidTaskError(task.name, `task '${task.name}': executable task without a command`);
    }
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

function slurmOptions(task: TaskSpec): string[] {
  const s = task.taskDescription?.slurm;
  if (s === undefined) return [];
  if (!Array.isArray(s) || !s.every((x) => typeof x === 'string')) {
    const want = "an array of srun options, e.g. ['--mem=100M']";
    throw new InvalidTaskError(task.name, `task '${task.name}': taskDescription.slurm must be ${want}`);
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
