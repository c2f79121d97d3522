/**
 * Entry of a pool's worker thread (workerData: { concurrency, claims }). `claims` is shared with the pool:
 * before a body starts, its slot moves 0 → seq by compare-and-swap, and the pool revokes a task by moving
 * it 0 → -seq, so a task is either started or revoked, never both (see pool.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ToWorker } from './protocol';
import { captureOutput, flushBeforeExit, WorkerRuntime } from './runtime';

const { concurrency, claims } = workerData as { concurrency: number; claims: SharedArrayBuffer };
const slots = new Int32Array(claims);
const port = parentPort!;
const rt = new WorkerRuntime(
  {
    post: (m) => port.postMessage(m),
    claim: (seq) => Atomics.compareExchange(slots, seq % slots.length, 0, seq) === 0,
  },
  concurrency,
);
captureOutput(rt);
flushBeforeExit(rt);
port.on('message', (m: ToWorker) => rt.handle(m));
port.postMessage({ type: 'ready', pid: process.pid, origin: performance.timeOrigin });
