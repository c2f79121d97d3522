/**
 * Entry of a pool's worker process, forked with an IPC channel (advanced serialization: values are
 * structured-cloned). argv: --concurrency N. It exits when the pool goes away (disconnect).
 */
import type { ToWorker } from './protocol';
import { captureOutput, flushBeforeExit, WorkerRuntime } from './runtime';

const at = process.argv.indexOf('--concurrency');
const concurrency = at > 0 ? Number(process.argv[at + 1]) : 1;
if (!process.send) {
  process.stderr.write('process-worker: start it with child_process.fork (IPC)\n');
  process.exit(2);
}
const rt = new WorkerRuntime({ post: (m) => void process.send!(m), reportStarts: true }, concurrency);
captureOutput(rt);
flushBeforeExit(rt);
process.on('message', (m) => rt.handle(m as ToWorker));
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ready', pid: process.pid, origin: performance.timeOrigin });
