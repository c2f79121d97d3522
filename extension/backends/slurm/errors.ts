/** Task failures that come from SLURM itself, as TaskError subclasses (engine/errors.ts). */
import { TaskError, WorkerCrashError } from '../../engine/errors';

/**
 * The task's SLURM job or step ended under it: scancel from outside, its time limit (TIMEOUT), its node failing
 * (NODE_FAIL). `reason` is SLURM's own: the job's final state and srun's error lines. A WorkerCrashError: the
 * process that ran the task is gone, as when a pool's worker dies.
 */
export class SlurmJobEndedError extends WorkerCrashError {
  override name = 'SlurmJobEndedError';
  constructor(
    taskName: string,
    /** "job 12" or "step 12.3". */
    readonly slurm: string,
    readonly reason: string,
  ) {
    super(taskName, `SLURM ${slurm} ended before the task finished: ${reason}`);
  }
}

/** The pilot died before the task started (or refused it): safe to run it elsewhere. */
export class PilotLostError extends TaskError {
  override name = 'PilotLostError';
}
