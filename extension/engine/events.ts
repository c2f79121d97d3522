/** Task states, in the order a task moves through them (DONE, FAILED and CANCELLED are final). */
export type TaskState = 'PENDING' | 'RUNNING' | 'DONE' | 'FAILED' | 'CANCELLED';

/**
 * One state change, emitted by `flow.on('task', listener)` in order. This is the feed for live tables and plots
 * (extension/report), so it is plain data: cloneable and cheap.
 */
export interface TaskEvent {
  id: string;
  name: string;
  kind: 'function' | 'executable' | 'block';
  state: TaskState;
  /** Backend name; blocks report 'block'. */
  backend: string;
  /** Milliseconds from `performance.now()` (monotonic, high resolution). */
  time: number;
  /** 1-based attempt; a retry emits RUNNING again with attempt + 1. */
  attempt: number;
  /** Message of the error on FAILED / CANCELLED. */
  error?: string;
  /** Id of the enclosing block when the task was created inside one. */
  parent?: string;
  /** The group (see `runInGroup`) the task was created in, e.g. a notebook cell or a %%flow run. */
  group?: string;
  /**
   * RUNNING events of pool and cluster backends: the worker that runs the attempt (its index in the pool,
   * its pid, and its host when that is not this one). The task-stream view lanes tasks by it.
   */
  slot?: TaskSlot;
  /**
   * RUNNING events: when the attempt was handed to its backend (dependencies met). `time - queuedAt` is the
   * time it waited in the backend's queue for a free worker.
   */
  queuedAt?: number;
  /**
   * The backend's word on the attempt: where it runs (RUNNING, e.g. "SLURM job 12 on node1"), or why it still
   * waits (PENDING, e.g. "waiting for a SLURM allocation (Reason=Resources)").
   */
  detail?: string;
  /** FAILED because a dependency failed or was cancelled: that dependency's id (the task never started). */
  dependency?: string;
}

/** Where an attempt ran. */
export interface TaskSlot {
  worker: number;
  pid?: number;
  host?: string;
}
