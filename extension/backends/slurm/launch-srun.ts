/** 'srun' mode: every task is its own srun job (launch-common.ts: runOwn), at most `maxConcurrent` at once. */
import type { SubmitHooks } from '../backend';
import { JobPerTask, runOwn } from './launch-common';
import type { LaunchTask } from './launcher';

export class SrunLauncher extends JobPerTask {
  readonly mode = 'srun';

  protected launch(task: LaunchTask, args: string[], hooks: SubmitHooks): Promise<unknown> {
    return runOwn(this.ctx, this.runs, task, args, true, hooks);
  }
}
