// What the pool (pool.ts) keeps about each job and each worker.
import type { SubmitHooks, TaskSpec } from '../backend';
import type { ShippedFunction } from '../portable';
import type { WorkerHandle } from './transports';

export type Phase = 'queued' | 'sent' | 'running' | 'yielded';

export interface Job {
  task: TaskSpec;
  /** The function as it travels (one object per function: a batch sends it once). */
  shipped: ShippedFunction;
  hooks: SubmitHooks;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  phase: Phase;
  worker: PoolWorker | null;
  seq: number;
  /** The promise is settled (cancelled): whatever the worker says about it later is dropped. */
  settled: boolean;
  /** Cancelled by stopping its worker: it is settled when the worker is gone, so that nothing of it runs on. */
  stopping: boolean;
}

export interface PoolWorker {
  index: number;
  handle: WorkerHandle;
  pid?: number;
  /** Add to a worker time to get ours. */
  offset: number;
  ready: boolean;
  gone: boolean;
  /** Why we stop it; set once. */
  stopping: string | null;
  jobs: Map<string, Job>;
  unstarted: number;
  running: number;
  yielded: number;
  seq: number;
  pings: Map<number, () => void>;
  exited: Promise<void>;
}
