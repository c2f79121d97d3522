/**
 * Pool options, checked the way piscina checks its own: a TypeError for the wrong type, a RangeError for a
 * value out of bounds, each naming the option. Worker counts are bounded: `threads 100000` once started
 * threads until V8 ran out of memory and took the kernel down.
 */
import { cpuCount } from '../proc/cpus';

export interface PoolOptions {
  /** Workers at most (started on demand). Default: the number of CPUs. At most MAX_WORKERS. */
  maxWorkers?: number;
  /**
   * Async tasks one worker runs at once (sync tasks always run one at a time per worker). Default 32, enough
   * for I/O-bound tasks to overlap as they do in-loop.
   */
  concurrentTasksPerWorker?: number;
  /**
   * Heap limit of each worker in MB (thread resourceLimits / --max-old-space-size). A task that runs out of
   * memory then fails quickly with WorkerCrashError instead of swelling towards the host's limit. Default 1024.
   */
  maxHeapMb?: number;
  /** Grace between SIGTERM and SIGKILL when a worker process is stopped. Default 1000 ms. */
  killGraceMs?: number;
}

export const MAX_WORKERS = 1024;
export const DEFAULT_WORKER_HEAP_MB = 1024;
export const DEFAULT_CONCURRENT_TASKS = 32;

export type CheckedPoolOptions = Required<PoolOptions>;

function check(name: string, v: unknown, min: number, max: number, integer: boolean, where: string): number {
  if (typeof v !== 'number' || Number.isNaN(v)) {
    throw new TypeError(`${where}: option '${name}' must be a number, got ${v === null ? 'null' : typeof v}`);
  }
  if (integer && !Number.isInteger(v)) throw new TypeError(`${where}: option '${name}' must be an integer, got ${v}`);
  if (v < min || v > max) throw new RangeError(`${where}: option '${name}' must be between ${min} and ${max}, got ${v}`);
  return v;
}

export function checkPoolOptions(opts: PoolOptions | undefined, where: string): CheckedPoolOptions {
  if (opts !== undefined && (typeof opts !== 'object' || opts === null)) {
    throw new TypeError(`${where}: options must be an object`);
  }
  const o = opts ?? {};
  const known = new Set(['maxWorkers', 'concurrentTasksPerWorker', 'maxHeapMb', 'killGraceMs']);
  for (const k of Object.keys(o)) if (!known.has(k)) throw new TypeError(`${where}: unknown option '${k}'`);
  return {
    maxWorkers: o.maxWorkers === undefined ? cpuCount() : check('maxWorkers', o.maxWorkers, 1, MAX_WORKERS, true, where),
    concurrentTasksPerWorker: o.concurrentTasksPerWorker === undefined
      ? DEFAULT_CONCURRENT_TASKS
      : check('concurrentTasksPerWorker', o.concurrentTasksPerWorker, 1, 100_000, true, where),
    maxHeapMb: o.maxHeapMb === undefined ? DEFAULT_WORKER_HEAP_MB : check('maxHeapMb', o.maxHeapMb, 16, 1 << 20, false, where),
    killGraceMs: o.killGraceMs === undefined ? 1000 : check('killGraceMs', o.killGraceMs, 0, 600_000, false, where),
  };
}

/** More workers than this per CPU only queue for the CPUs, each with its own heap: say so. */
export const WORKERS_PER_CPU_WARNING = 4;

export function warnIfOversized(kind: string, maxWorkers: number): void {
  const cpus = cpuCount();
  if (maxWorkers > cpus * WORKERS_PER_CPU_WARNING) {
    console.warn(`flowbook: ${kind} with ${maxWorkers} workers on ${cpus} CPUs: CPU-bound tasks will not run faster ` +
      `than with ${cpus}, and each worker holds its own memory. Async tasks overlap within a worker ` +
      '(concurrentTasksPerWorker), so a few workers are enough for them.');
  }
}
