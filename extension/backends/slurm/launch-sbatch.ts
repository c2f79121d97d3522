/** 'sbatch' mode: every task is one `sbatch --wait` job (sbatch.ts), at most `maxConcurrent` at once. */
import type { SubmitHooks } from '../backend';
import { JobPerTask } from './launch-common';
import type { LaunchTask } from './launcher';
import { runSbatch } from './sbatch';

export class SbatchLauncher extends JobPerTask {
  readonly mode = 'sbatch';

  protected launch(task: LaunchTask, args: string[], hooks: SubmitHooks): Promise<unknown> {
    const run = runSbatch(task.spec, task.job, task.value, args, hooks);
    run.submitted.then((id) => this.ctx.ownJob(id), () => {});
    return this.runs.track(task.spec.id, run, run.result);
  }
}
