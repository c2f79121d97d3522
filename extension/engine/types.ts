/** The engine's own records of tasks and backends (shared by engine.ts, scheduler.ts and future.ts). */
import type { Backend } from '../backends/backend';
import type { TaskKindOrBlock } from './future';

export interface TaskOptions {
  /** Name of a registered backend; default: the engine's current default backend. */
  backend?: string;
  retries?: number;
  timeoutMs?: number;
  cwd?: string;
  env?: Record<string, string>;
  name?: string;
  /** Passed to the backend untouched. */
  taskDescription?: Record<string, unknown>;
}

/** A decorated function, fixed at decoration time. */
export interface TaskDef {
  name: string;
  kind: TaskKindOrBlock;
  fn: (...args: any[]) => unknown;
  source?: string;
  backendName?: string;
  retries: number;
  timeoutMs?: number;
  cwd?: string;
  env?: Record<string, string>;
  taskDescription?: Record<string, unknown>;
}

/** A backend as the engine tracks it: how many tasks are assigned, whether it is retired. */
export interface Slot {
  name: string;
  backend: Backend;
  assigned: number;
  /** Registered by name (kept when another default is set). */
  registered: boolean;
  retired: boolean;
  /** The backend runs function tasks in this event loop: the engine calls them directly. */
  inline: boolean;
  closing?: Promise<void>;
}
