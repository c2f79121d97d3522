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
 *               (leaves the backend's queue): the engine turns that into the RUNNING state. Reject with an
 *               Error on failure; for executables include `exitCode` and `stderr` properties.
 *               The engine has already resolved every dependency: `task.args` holds plain values.
 * - `cancel(id)` stop the attempt with that task id: a queued one must never start, a running child
 *               process must be killed (SIGTERM, then SIGKILL after a grace period). The pending submit
 *               promise must then reject (any error; the engine reports TaskCancelledError). Returns false
 *               when the backend does not know the id (already finished).
 * - `shutdown()` cancel what is queued, stop what runs, release workers/processes/jobs. Idempotent.
 *
 * Timeouts: when `task.timeoutMs` is set the engine calls `cancel(id)` on expiry, so a backend only has to make
 * cancel reliable. Backends never see futures, retries or dependencies; the engine owns those.
 */
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
  /** Executable tasks: the shell command (already produced by the user's function). */
  command?: string;
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
  /** The task left the backend's queue and is running now. Call at most once. */
  started(): void;
}

export interface Backend {
  readonly name: string;
  init?(): Promise<void>;
  submit(task: TaskSpec, hooks: SubmitHooks): Promise<unknown>;
  cancel(id: string): Promise<boolean> | boolean;
  shutdown(): Promise<void>;
}
