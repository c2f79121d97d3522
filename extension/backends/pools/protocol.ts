/**
 * Messages between a pool and its workers (threads and processes speak the same ones).
 *
 * The host sends batches of tasks; the worker starts them in order (async ones overlap, up to its
 * concurrency), and reports each task's life as events, flushed in small bundles:
 *   started  the body begins now (worker clock)      yielded  the body returned a promise: the thread is free
 *   done     settled with a value (or an error)      output   a chunk the task wrote to stdout/stderr
 *   revoked  the pool took the task back before it started (it never runs)
 * A worker also answers `ping` with `pong`, which tells the host its event loop is not stuck.
 */
import type { WireError } from '../../engine/wire-errors';
import type { SourceOrigin } from '../../host';

/**
 * A batch, by columns: cloning arrays of strings costs a fraction of cloning one object per task, and that
 * clone was the largest cost of a tiny thread task.
 */
export interface WireBatch {
  /** Distinct sources in the batch, and the task name each was defined with (for stack frames). */
  sources: string[];
  names: string[];
  /** Where each source was written (file, line, column), for the worker's stack frames; null when unknown. */
  origins: (SourceOrigin | null)[];
  /** Per task: its id, index into `sources`, and arguments. */
  ids: string[];
  source: number[];
  args: unknown[][];
  /** The first task's seq; the others follow (per worker, increasing: the claim slot in shared memory). */
  seq: number;
  /** Indexes of tasks whose `started` must go out before their body (they have a timeout). */
  report: number[];
}

export type ToWorker =
  | { type: 'run'; batch: WireBatch }
  | { type: 'revoke'; id: string }
  | { type: 'ping'; n: number };

export type WorkerEvent =
  | { type: 'started'; id: string; t: number }
  | { type: 'yielded'; id: string }
  | { type: 'revoked'; id: string }
  | { type: 'done'; id: string; t: number; ok: true; value: unknown }
  | { type: 'done'; id: string; t: number; ok: false; error: WireError }
  /** started + done of a synchronous body, in one event (the common case for tiny tasks) */
  | { type: 'ran'; id: string; t0: number; t: number; ok: true; value: unknown }
  | { type: 'output'; id: string | null; stream: 'stdout' | 'stderr'; text: string };

export type FromWorker =
  | { type: 'ready'; pid: number; origin: number }
  | { type: 'events'; events: WorkerEvent[] }
  | { type: 'pong'; n: number };
