/**
 * What the launchers share: the tracker of tasks that run as their own srun or sbatch process (cancel and
 * shutdown find them there), one task as its own srun job or step (srun mode, and pilot tasks with SLURM
 * options), and the base of the job-per-task modes (srun, sbatch).
 */
import type { SubmitHooks } from '../backend';
import { Limiter } from '../proc/limiter';
import { TaskCancelledError } from '../../engine/errors';
import type { SlurmMode } from './index';
import type { LaunchContext, LaunchTask, SlurmLauncher } from './launcher';
import { Pilot } from './pilot';
import { SrunCommand } from './step';

/** A running task's own process: a single-use Pilot, an SrunCommand or an sbatch run. */
export interface RunHandle {
  cancel(id: string): Promise<boolean>;
  close(): Promise<void>;
}

export class Runs {
  private byId = new Map<string, RunHandle>();

  /** Known to cancel and shutdown until `result` settles. */
  async track(id: string, handle: RunHandle, result: Promise<unknown>): Promise<unknown> {
    this.byId.set(id, handle);
    try {
      return await result;
    } finally {
      if (this.byId.get(id) === handle) this.byId.delete(id);
    }
  }

  /** Undefined when no task with that id runs here. */
  cancel(id: string): Promise<boolean> | undefined {
    return this.byId.get(id)?.cancel(id);
  }

  /** Ends every tracked process; resolves once they have exited. */
  async close(): Promise<void> {
    await Promise.all([...new Set(this.byId.values())].map((h) => h.close()));
  }
}

/**
 * One task as its own srun: bash directly for executables (step.ts says why), a one-slot agent for functions.
 * `ownJob`: its own job (srun mode), else a step in a pilot's allocation (`--jobid=J --overlap` in srunArgs).
 */
export function runOwn(
  ctx: LaunchContext, runs: Runs, task: LaunchTask, srunArgs: string[], ownJob: boolean, hooks: SubmitHooks,
): Promise<unknown> {
  const { spec, job } = task;
  const env = { ...process.env, ...spec.env };
  if (job.type === 'exec') {
    const c = new SrunCommand({
      srunArgs, ownJob, command: job.command, argv: job.argv, cwd: job.cwd, env, hooks, taskName: job.name,
    });
    if (ownJob) c.started.then((id) => ctx.ownJob(id));
    return runs.track(spec.id, c, c.result);
  }
  const p = new Pilot({
    srunArgs, slots: 1, ownJob, singleUse: true, cwd: spec.cwd, env,
    bindHost: ctx.bindHost, tls: ctx.tls, maxFrame: ctx.maxFrame,
  });
  if (ownJob) p.started.then(() => ctx.ownJob(p.jobId), () => {});
  return runs.track(spec.id, p, p.run(job, task.value, hooks));
}

/**
 * srun and sbatch modes: a job per task, at most `maxConcurrent` in flight; the rest wait in the Limiter,
 * because more jobs at once only queue for the scheduler's next pass.
 */
export abstract class JobPerTask implements SlurmLauncher {
  abstract readonly mode: SlurmMode;
  protected readonly runs = new Runs();
  private readonly limiter: Limiter<string>;

  constructor(protected readonly ctx: LaunchContext) {
    this.limiter = new Limiter(ctx.options.maxConcurrent ?? 8);
  }

  init(): void {}

  submit(task: LaunchTask, hooks: SubmitHooks): Promise<unknown> {
    const args = [...this.ctx.resourceArgs(this.ctx.cpusPerTask), ...task.slurm];
    return this.limiter.run(task.spec.id, () => this.launch(task, args, hooks));
  }

  /** Starts the task's job with these srun/sbatch options and settles with it. */
  protected abstract launch(task: LaunchTask, args: string[], hooks: SubmitHooks): Promise<unknown>;

  cancel(id: string): Promise<boolean> | boolean {
    if (this.limiter.cancel(id, new TaskCancelledError(id, 'cancelled before it was submitted to SLURM'))) return true;
    return this.runs.cancel(id) ?? false;
  }

  async shutdown(): Promise<void> {
    this.limiter.clear((id) => new TaskCancelledError(id, 'cancelled: the SLURM backend shut down'));
    await this.runs.close();
  }

  describe(): string[] {
    const o = this.ctx.options;
    return [`at most ${o.maxConcurrent ?? 8} jobs in flight, time limit ${o.timeLimit ?? 'partition default'}`];
  }
}
