/**
 * The backend interface: everything the engine needs from an execution backend.
 *
 * A third party writes a backend by implementing `Backend`:
 *
 * - `name`      a short label shown in events, tables and plots ("async", "threads", "slurm", ...).
 * - `init()`    optional; called once by `WorkflowEngine.create()` before any submit. Throw here for a
 *               backend that cannot work (e.g. slurmctld unreachable) so that create() fails at once.
 * - `submit(task, hooks)`  run one task attempt. Return a promise of its result (function return value, or the
 *               trimmed stdout of an executable). Call `hooks.started()` once, when the task actually begins
 *               (its body begins, as the worker reports it): the engine turns that into the RUNNING state.
 *               Pass `{ time, slot }` when the start is learnt later than it happened (a worker's report):
 *               `time` is the start on this process's performance.now() clock, `slot` the worker.
 *               Reject with an Error on failure: a TaskError subclass from engine/errors.ts (ExecutableError
 *               with `exitCode` and `stderr` for executables); wire-errors.ts rebuilds errors sent by workers.
 *               The engine has already resolved every dependency: `task.args` holds plain values.
 * - `hooks.output?.(stream, text)`  what the task printed, as it arrives (the engine always provides it).
 *               The engine writes it to the cell that started the task, tagged when several run at once.
 * - `cancel(id)` stop the attempt with that task id: a queued one must never start, a running child
 *               process must be killed (SIGTERM, then SIGKILL after a grace period). The pending submit
 *               promise must then reject (any error; the engine reports TaskCancelledError). Returns false
 *               when the backend does not know the id (already finished).
 * - `shutdown()` cancel what is queued, stop what runs, release workers/processes/jobs. Idempotent.
 *
 * Timeouts: when `task.timeoutMs` is set the engine calls `cancel(id)` on expiry, so a backend only has to make
 * cancel reliable. Backends never see futures, retries or dependencies; the engine owns those.
 */
import type { TaskSlot } from '../engine/events';

export type { TaskSlot } from '../engine/events';
export type TaskKind = 'function' | 'executable';

export interface TaskSpec {
  /** Unique per task (stable across retry attempts). */
  id: string;
  name: string;
  kind: TaskKind;
  /** Function tasks: the function itself (in-loop backends call it directly). */
  fn?: (...args: any[]) => unknown;
  /** Function tasks: `fn.toString()`, for backends that ship the function to another thread/process/node. */
  source?: string;
  /**
   * Executable tasks: the shell command (already produced by the user's function). When the function
   * returned an argv array, `argv` holds it and `command` is its shell-quoted form (for display, and for
   * backends that only run shell commands).
   */
  command?: string;
  /** Executable tasks in exec mode: program and arguments, spawned without a shell. */
  argv?: string[];
  /** Arguments with every future replaced by its value. */
  args: unknown[];
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  /** 1-based attempt number (retries increment it). */
  attempt: number;
  /** Free-form per-task options passed through untouched, e.g. `{ slurm: ['--mem=100M'] }`. */
  taskDescription?: Record<string, unknown>;
}

export interface SubmitHooks {
  /** The task's body began (now, or at `info.time`). Call at most once. */
  started(info?: StartInfo): void;
  /** Output the task wrote (worker console, process stdout/stderr), in order, as it arrives. */
  output?(stream: 'stdout' | 'stderr', text: string): void;
  /** When the body ended, on this process's clock (a worker's report); call just before settling. */
  finished?(time: number): void;
  /**
   * The attempt still waits, and why, in the backend's words (e.g. "waiting for a SLURM allocation
   * (Reason=Resources)"); may come several times before `started`. The engine emits it as a PENDING event.
   */
  waiting?(detail: string): void;
}

export interface StartInfo {
  /** performance.now() of this process when the body began (a worker's clock mapped onto ours). */
  time?: number;
  /** The worker that runs it. */
  slot?: TaskSlot;
  /** Where it runs, in the backend's words (e.g. "SLURM job 12 on node1"): TaskEvent.detail. */
  detail?: string;
}

export interface Backend {
  readonly name: string;
  init?(): Promise<void>;
  submit(task: TaskSpec, hooks: SubmitHooks): Promise<unknown>;
  cancel(id: string): Promise<boolean> | boolean;
  shutdown(): Promise<void>;
}
