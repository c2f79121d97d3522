/**
 * SlurmExecutionBackend: the HPC path. The same workflow moves from the thread pool to a SLURM cluster by
 * changing one line: `new SlurmExecutionBackend({ partition: 'debug' })` (or `%backend slurm debug`).
 *
 * Modes, and why the pilot is the default (tests/bench/slurm.bench.ts: 200 `true` tasks, 2 at once, on the 2-CPU
 * single-node SLURM, two runs): raw `srun true` loop 3.9 / 2.4 tasks/s, srun mode 3.7 / 2.6, pilot 86.5 / 97
 * (22x / 40x, cold start included); submit-to-start p50 43-81 ms raw srun, 1.8 ms pilot. Per-task srun is bound
 * by the scheduler, and more jobs at once only queue for its next pass; the pilot pays that once.
 * - 'pilot' (default): one srun job per node holds the allocation and runs an agent; tasks are streamed to it
 *   over a TCP connection the agent opens back to us, and state changes come back on it (pushed, not polled).
 * - 'srun': one srun (its own job) per task, at most `maxConcurrent` at once.
 * - 'sbatch': one `sbatch --wait` per task, for sites that forbid interactive srun; slowest.
 * A task with `taskDescription.slurm` options runs as its own job step in the pilot's allocation
 * (`srun --jobid=J --overlap <options>`), so its options reach srun and cancel targets exactly that step.
 */
import type { Backend, SubmitHooks, TaskSpec } from '../backend';
import { assertCloneable, portableSource } from '../portable';
import { checkController, slurmCmd } from './cli';
import { Pilot, PilotLostError, type AgentJob } from './pilot';
import { encodeValue } from './protocol';
import { runSbatch, type SbatchRun } from './sbatch';
import { SrunCommand } from './step';

export type SlurmMode = 'pilot' | 'srun' | 'sbatch';

export interface SlurmOptions {
  partition?: string;
  account?: string;
  /** Pilot mode: number of pilot jobs (one node each). */
  nodes?: number;
  cpusPerTask?: number;
  /** SLURM time limit for pilot/task jobs, e.g. '01:00:00' or minutes. */
  timeLimit?: string | number;
  mode?: SlurmMode;
  /** Pilot mode: tasks run at once per pilot (default: the node's CPUs / cpusPerTask). */
  slots?: number;
  /** srun/sbatch modes: jobs in flight at once (default 8). */
  maxConcurrent?: number;
}

type Active = Pilot | SbatchRun | SrunCommand;

export class SlurmExecutionBackend implements Backend {
  readonly name = 'slurm';
  readonly mode: SlurmMode;
  private nodeCpus = 1;
  private initialized?: Promise<void>;
  private pilots: (Pilot | undefined)[] = [];
  private active = new Map<string, Active>();
  private waiting: { id: string; go: () => void; stop: (e: Error) => void }[] = [];
  private inFlight = 0;
  private closed = false;
  private ourJobs = new Set<string>();
  /** Tasks waiting for a pilot (first start, or after a lost one): id -> cancel it. */
  private waitingForPilot = new Map<string, () => void>();

  constructor(readonly options: SlurmOptions = {}) {
    this.mode = options.mode ?? 'pilot';
    if (!['pilot', 'srun', 'sbatch'].includes(this.mode)) throw new Error(`SLURM: unknown mode '${this.mode}' (pilot, srun or sbatch)`);
  }

  init(): Promise<void> {
    return (this.initialized ??= (async () => {
      await checkController(this.options.partition);
      const p = this.options.partition ? ['-p', this.options.partition] : [];
      const cpus = await slurmCmd('sinfo', ['-h', ...p, '-o', '%c']);
      this.nodeCpus = Math.max(1, ...cpus.stdout.split('\n').map((s) => parseInt(s, 10)).filter((n) => n > 0));
    })());
  }

  async submit(task: TaskSpec, hooks: SubmitHooks): Promise<unknown> {
    if (this.closed) throw new Error('SLURM backend is shut down');
    const job = this.toAgentJob(task); // closure / clone errors fail here, before any SLURM work
    await this.init();
    const once = onceHooks(hooks);
    const extra = slurmOptions(task);
    if (this.mode === 'pilot') {
      if (!extra.length) return this.runOnPilot(task.id, job, once);
      const pilot = await this.pilotFor(task.id);
      // Own step inside the pilot's allocation so the options apply and cancel hits exactly this step.
      return this.runOwn(task, job, ['--jobid=' + pilot.jobId, '--overlap', '-N1', '-n1', ...extra], false, once);
    }
    await this.slot(task.id);
    try {
      if (this.mode === 'sbatch') {
        const run = runSbatch(task, job, [...this.resourceArgs(this.cpusPerTask), ...extra], once);
        this.active.set(task.id, run);
        run.submitted.then((id) => this.ourJobs.add(id), () => {});
        return await run.result;
      }
      return await this.runOwn(task, job, [...this.resourceArgs(this.cpusPerTask), ...extra], true, once);
    } finally {
      this.active.delete(task.id);
      this.release();
    }
  }

  /** A task still queued in a pilot that dies (e.g. scancelled from outside) is re-run on a new pilot. */
  private async runOnPilot(id: string, job: AgentJob, hooks: SubmitHooks): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      const pilot = await this.pilotFor(id);
      try {
        return await this.track(id, pilot, pilot.run(job, hooks));
      } catch (err) {
        if (!(err instanceof PilotLostError) || this.closed || attempt >= 3) throw err;
      }
    }
  }

  /** Waits for a live pilot; a task cancelled meanwhile (the pilot job may pend for long) never starts. */
  private async pilotFor(id: string): Promise<Pilot> {
    const cancelled = new Promise<never>((_, reject) => this.waitingForPilot.set(id, () => reject(new Error('cancelled'))));
    try {
      return await Promise.race([this.pickPilot(), cancelled]);
    } finally {
      this.waitingForPilot.delete(id);
    }
  }

  async cancel(id: string): Promise<boolean> {
    const w = this.waitingForPilot.get(id);
    if (w) {
      w();
      return true;
    }
    const q = this.waiting.findIndex((w) => w.id === id);
    if (q >= 0) {
      this.waiting.splice(q, 1)[0].stop(new Error('cancelled before it was submitted to SLURM'));
      return true;
    }
    const a = this.active.get(id);
    return a ? a.cancel(id) : false;
  }

  /** Cancels everything, scancels our jobs and waits until squeue no longer lists them. Idempotent. */
  async shutdown(): Promise<void> {
    this.closed = true;
    for (const w of this.waiting.splice(0)) w.stop(new Error('SLURM backend shut down'));
    const all = new Set<Active>([...this.active.values(), ...this.pilots.filter((p): p is Pilot => !!p)]);
    await Promise.all([...all].map((a) => a.close()));
    this.pilots = [];
    await this.waitGone();
  }

  private get cpusPerTask(): number {
    return this.options.cpusPerTask ?? 1;
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

  private toAgentJob(task: TaskSpec): AgentJob {
    const cwd = task.cwd ?? process.cwd();
    if (task.kind === 'executable') {
      if (!task.command) throw new Error(`task '${task.name}': executable task without a command`);
      const env = { ...process.env, ...task.env } as Record<string, string>;
      return { type: 'exec', id: task.id, command: task.command, cwd, env };
    }
    const source = task.fn ? portableSource(task.fn, task.name) : task.source;
    if (!source) throw new Error(`task '${task.name}': function task without a function`);
    assertCloneable(task.args, task.name);
    return { type: 'function', id: task.id, name: task.name, source, args: encodeValue(task.args), cwd };
  }

  /**
   * Least-loaded running pilot. All `nodes` pilots are requested up front and a dead one (scancelled, timed out)
   * is replaced; tasks only go to pilots that run, so one still pending for resources holds nothing up.
   */
  private async pickPilot(): Promise<Pilot> {
    if (this.closed) throw new Error('SLURM backend shut down'); // never start a pilot after shutdown()
    const n = Math.max(1, this.options.nodes ?? 1);
    for (let i = 0; i < n; i++) if (!this.pilots[i]?.alive) this.pilots[i] = this.newPilot();
    const live = this.pilots.filter((p): p is Pilot => !!p && p.alive);
    const running = live.filter((p) => p.running);
    if (running.length) return running.reduce((a, b) => (b.load < a.load ? b : a));
    return Promise.any(live.map((p) => p.started.then(() => p))).catch((e: AggregateError) => {
      throw e.errors[0];
    });
  }

  private newPilot(): Pilot {
    const slots = this.options.slots ?? Math.max(1, Math.floor(this.nodeCpus / this.cpusPerTask));
    const cpus = Math.min(this.nodeCpus, slots * this.cpusPerTask);
    const pilot = new Pilot({ srunArgs: this.resourceArgs(cpus), slots, ownJob: true });
    pilot.started.then(() => this.ourJobs.add(pilot.jobId), () => {});
    return pilot;
  }

  /** One task as its own srun job or step: bash directly for executables, a one-slot agent for functions. */
  private runOwn(task: TaskSpec, job: AgentJob, srunArgs: string[], ownJob: boolean, hooks: SubmitHooks): Promise<unknown> {
    const env = { ...process.env, ...task.env };
    if (job.type === 'exec') {
      const c = new SrunCommand({ srunArgs, ownJob, command: job.command, cwd: job.cwd, env, hooks });
      if (ownJob) c.started.then((id) => this.ourJobs.add(id));
      return this.track(task.id, c, c.result);
    }
    const p = new Pilot({ srunArgs, slots: 1, ownJob, singleUse: true, cwd: task.cwd, env });
    if (ownJob) p.started.then(() => this.ourJobs.add(p.jobId), () => {});
    return this.track(task.id, p, p.run(job, hooks));
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
  private slot(id: string): Promise<void> {
    if (this.inFlight < (this.options.maxConcurrent ?? 8)) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise((go, stop) => this.waiting.push({ id, go: () => (this.inFlight++, go()), stop }));
  }

  private release(): void {
    this.inFlight--;
    this.waiting.shift()?.go();
  }

  private async waitGone(): Promise<void> {
    if (!this.ourJobs.size) return;
    for (let i = 0; i < 100; i++) {
      const r = await slurmCmd('squeue', ['-h', '-o', '%i']);
      if (r.code !== 0 || !r.stdout.split('\n').some((id) => this.ourJobs.has(id.trim()))) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    this.ourJobs.clear();
  }
}

function slurmOptions(task: TaskSpec): string[] {
  const s = task.taskDescription?.slurm;
  if (s === undefined) return [];
  if (!Array.isArray(s) || !s.every((x) => typeof x === 'string')) {
    throw new Error(`task '${task.name}': taskDescription.slurm must be an array of srun options, e.g. ['--mem=100M']`);
  }
  return s;
}

function onceHooks(hooks: SubmitHooks): SubmitHooks {
  let done = false;
  return { started: () => (done ? undefined : ((done = true), hooks.started())) };
}
