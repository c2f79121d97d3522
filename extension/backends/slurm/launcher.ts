/**
 * The launcher interface: how one SLURM mode starts, cancels and ends tasks. SlurmExecutionBackend (index.ts)
 * chooses one from `mode` in its constructor and does everything the modes share itself: it checks the options,
 * checks each task (portable function, cloneable arguments under the channel's cap, `taskDescription.slurm`),
 * talks to slurmctld in init, holds submits until init is done, and after shutdown waits until squeue lists
 * none of the jobs recorded through the context. A launcher only sees tasks that passed all of that.
 *
 * Implementations: 'pilot' (launch-pilot.ts, over PilotPool), 'srun' (launch-srun.ts, a job per task) and
 * 'sbatch' (launch-sbatch.ts, a `sbatch --wait` per task).
 *
 * - construction  starts nothing and runs no SLURM command, so a backend can be made where SLURM is down.
 * - `init()`      called once by the backend's init, after the controller check, once `ctx.nodeCpus` and
 *                 `ctx.bindHost` are known. May start work in the background (the pilot's `minPilots`) but
 *                 does not wait for SLURM: a job that fails later fails the tasks that needed it.
 * - `submit(task, hooks)`  run one task; called only after init resolved and never once shutdown began. The
 *                 promise resolves with the result (a function's return value, an executable's trimmed stdout)
 *                 and rejects with a TaskError (engine/errors.ts) for the task's name:
 *                   ExecutableError         nonzero exit, with `exitCode` and `stderr`;
 *                   the function's own error, rebuilt by wire-errors.ts;
 *                   WorkerCrashError        the function worker died or gave no answer;
 *                   SlurmJobEndedError      its job or step ended under it (scancel, time limit, node failure)
 *                                           or never ran (srun refused the options), with SLURM's reason;
 *                   PilotLostError          the agent meant to run it died before it was handed over (the pool
 *                                           retries elsewhere first);
 *                   TaskCancelledError      cancel(id), or shutdown ("cancelled: the SLURM backend shut down").
 * - hooks         arrive wrapped by the backend, so a second `started` and any `waiting` after it are dropped.
 *                 The launcher (through Pilot, SrunCommand, runSbatch) calls `started` once, when the body
 *                 begins: the agent's report (dated on our clock), srun's wrapper line, sbatch's `started` file.
 *                 `output` comes only from an agent, for a function's console output; an executable's stdout is
 *                 its result and its stderr goes into its error. `waiting` comes only from the pilot pool while
 *                 a pilot pends (squeue's reason). No launcher calls `finished`: none learns the end earlier.
 * - `cancel(id)`  true when it knew the task: queued here (Limiter, pool queue, waiting for a pilot) it rejects
 *                 with TaskCancelledError and never starts; running, its job or step is scancelled (pilot: the
 *                 agent kills it) and its submit rejects with TaskCancelledError. False for an unknown id (done,
 *                 or still in the backend's own init wait, which the backend cancels itself).
 * - `shutdown()`  rejects what is queued, ends what runs (their submits reject as above) and releases every
 *                 job; resolves when those srun and sbatch processes have exited. Idempotent. squeue is the
 *                 backend's to check afterwards, so every job started is recorded with `ctx.ownJob`/`ownName`.
 * - `describe()`  the mode's lines of `%backend slurm` (limits, slots, channel); reads options and context only,
 *                 runs no command, and is called only after init.
 */
import type { SubmitHooks, TaskSpec } from '../backend';
import type { SlurmMode, SlurmOptions } from './index';
import type { AgentJob } from './protocol';

/** A task the backend has checked, with what every mode ships of it. */
export interface LaunchTask {
  spec: TaskSpec;
  /** What an agent runs: a shipped function or a command, with its cwd. */
  job: AgentJob;
  /** Function tasks: the encoded arguments (v8 form), already under the channel's cap. */
  value?: Buffer;
  /** `taskDescription.slurm`, checked to be srun options; [] when none. */
  slurm: string[];
}

/** What the backend gives a launcher: the options, what init learnt, and where to record our jobs. */
export interface LaunchContext {
  readonly options: SlurmOptions;
  /** CPUs of the partition's largest node (1 until init). */
  readonly nodeCpus: number;
  /** The address agents connect back to (address.ts), known after init. */
  readonly bindHost: string;
  readonly cpusPerTask: number;
  readonly tls: boolean;
  /** The channel's frame cap in bytes, when `maxMessageMb` is set. */
  readonly maxFrame?: number;
  /** srun/sbatch options for one node, one task of `cpus` CPUs, with partition, account and time limit. */
  resourceArgs(cpus: number): string[];
  /** A job we started, by id: shutdown waits until squeue no longer lists it. */
  ownJob(id: string): void;
  /** A job we started, by name, for one scancelled before srun reported its id. */
  ownName(name: string): void;
}

export interface SlurmLauncher {
  readonly mode: SlurmMode;
  init(): void | Promise<void>;
  submit(task: LaunchTask, hooks: SubmitHooks): Promise<unknown>;
  cancel(id: string): Promise<boolean> | boolean;
  shutdown(): Promise<void>;
  describe(): string[];
}
