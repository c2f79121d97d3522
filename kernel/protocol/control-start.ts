// The control thread, started before the main thread loads the rest of the kernel. Its ports (control, iopub,
// stdin, heartbeat) were bound ~180 ms after the spawn, the shell port ~126 ms (median of 7): the thread booted
// only once the main thread had loaded zeromq and the protocol layer (~25 ms). jupyter_client retries a refused
// connect every 100 ms, so a port bound late waits for the next retry. This module loads nothing heavy.
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { MessageChannel, MessagePort, Worker } from 'node:worker_threads';
import type { ConnectionInfo } from './connection';

/** What the main thread shares with the control thread (control-worker.ts reads the same as workerData). */
export interface ControlThread {
  readonly worker: Worker;
  readonly session: string;
  /** [bytes, messages] of output in flight (outbound.ts). */
  readonly outbound: Int32Array;
  /** [reply ready] for input_request (stdin.ts). */
  readonly inputFlag: Int32Array;
  /** The main thread's end of the input channel; the control thread has the other. */
  readonly inputPort: MessagePort;
}

export function startControlThread(conn: ConnectionInfo, vmState: Int32Array): ControlThread {
  const session = randomUUID();
  const outbound = new Int32Array(new SharedArrayBuffer(8));
  const inputFlag = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(path.join(__dirname, 'control-worker.js'), {
    workerData: { conn, session, vmState, outbound, inputPort: port2, inputFlag },
    transferList: [port2],
  });
  worker.unref();
  return { worker, session, outbound, inputFlag, inputPort: port1 };
}
