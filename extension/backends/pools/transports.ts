/**
 * Starting one pool worker: a thread (worker_threads) or a process (fork, IPC). Both speak protocol.ts; the
 * pool sees only `WorkerHandle`. Events arrive in order, and `exit` comes after the last message: Node drains a
 * worker's ports before its 'exit', and a child's 'close' comes after its IPC channel closed.
 */
import { Worker } from 'node:worker_threads';
import type { FromWorker, ToWorker } from './protocol';
import { workerPath } from '../worker-path';
import { forkTied } from '../proc/spawn';
import { killTree } from '../proc/kill';

export interface WorkerEvents {
  message(m: FromWorker): void;
  /** Bytes that reached the worker's real stdout/stderr (outside the captured writes). */
  stray(stream: 'stdout' | 'stderr', text: string): void;
  /** The worker is gone; `why` says how. */
  exit(why: string): void;
}

export interface WorkerHandle {
  post(msg: ToWorker): void;
  /** Threads: terminate. Processes: SIGTERM to its group, SIGKILL after `graceMs`. */
  stop(graceMs: number): void;
  /** Threads: prepares the claim slot for a task about to be sent. */
  arm?(seq: number): void;
  /** Threads: takes back an unstarted task; false when it has started already. */
  revoke?(seq: number): boolean;
}

export interface WorkerSpec {
  concurrency: number;
  maxHeapMb: number;
}

/** Claim slots per thread: more than the tasks one thread can hold unstarted (a batch). */
const CLAIM_SLOTS = 4096;

export function startThread(spec: WorkerSpec, on: WorkerEvents): WorkerHandle {
  const claims = new SharedArrayBuffer(CLAIM_SLOTS * 4);
  const slots = new Int32Array(claims);
  const w = new Worker(workerPath('pools/thread-worker'), {
    workerData: { concurrency: spec.concurrency, claims },
    resourceLimits: { maxOldGenerationSizeMb: spec.maxHeapMb },
    stdout: true,
    stderr: true,
  });
  let why = '';
  w.on('message', (m: FromWorker) => on.message(m));
  w.on('error', (err) => (why ||= err instanceof Error ? `${err.name}: ${err.message}` : String(err)));
  w.on('exit', (code) => on.exit(why || `exited with code ${code}`));
  w.stdout.setEncoding('utf8').on('data', (d: string) => on.stray('stdout', d));
  w.stderr.setEncoding('utf8').on('data', (d: string) => on.stray('stderr', d));
  return {
    post: (m) => w.postMessage(m),
    stop: () => void w.terminate(),
    arm: (seq) => Atomics.store(slots, seq % CLAIM_SLOTS, 0),
    revoke: (seq) => Atomics.compareExchange(slots, seq % CLAIM_SLOTS, 0, -seq) === 0,
  };
}

export function startProcess(spec: WorkerSpec, on: WorkerEvents): WorkerHandle {
  // detached: the worker leads its own group, so stopping it also stops what its tasks spawned.
  const child = forkTied(workerPath('pools/process-worker'), ['--concurrency', String(spec.concurrency)], {
    serialization: 'advanced',
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    execArgv: [`--max-old-space-size=${spec.maxHeapMb}`],
  });
  let why = '';
  child.on('message', (m: FromWorker) => on.message(m));
  child.on('error', (err) => (why ||= err.message));
  child.on('exit', (code, signal) => (why ||= signal ?? `code ${code}`));
  child.on('close', () => on.exit(why));
  child.stdout!.setEncoding('utf8').on('data', (d: string) => on.stray('stdout', d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => on.stray('stderr', d));
  return {
    post: (m) => {
      if (child.connected) child.send(m);
    },
    stop: (graceMs) => void killTree(child, { graceMs }),
  };
}
