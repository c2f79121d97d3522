// The kernel owns SIGINT for the whole process, and it never falls back to Node's default (exit).
// Node's vm `breakOnSigint` starts a process-wide SIGINT watchdog around each run and, when the last run ends,
// puts back a handler that exits. A `process.on('SIGINT')` listener does not help: runInContext removes it for
// the run, which resets SIGINT to the default. Measured (Node 20.20, 2,000 SIGINTs 1 ms apart against
// back-to-back vm runs): with a listener the process died (exit 130) and each run cost 38 us. With one watchdog
// start held for the process's lifetime, runs only count up and down, the watchdog's handler stays, the storm was
// harmless, and a run with breakOnSigint cost 0.9 us. So every vm run can break on SIGINT.
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { log } from '../log';
import { nodeBinding } from './node-binding';

const contextify = nodeBinding('contextify') as { startSigintWatchdog(): boolean };

let held = false;
const taken: ((signal: 'SIGINT') => void)[] = [];

/**
 * Holds the process-wide SIGINT watchdog from now on. A libuv SIGINT handle is started first and kept: libuv
 * resets SIGINT to the default when its last handle stops, which a user's `process.on('SIGINT')` listener (runs
 * remove and re-add it) would otherwise do under the watchdog. With ours alive libuv never touches it again.
 */
export function holdSigint(): void {
  if (held) return;
  const { Signal } = nodeBinding('signal_wrap');
  const keep = new Signal();
  keep.onsignal = () => {}; // never called: the watchdog's handler replaces libuv's below
  keep.unref();
  keep.start(os.constants.signals.SIGINT);
  held = contextify.startSigintWatchdog();
  if (!held) log('cannot hold the SIGINT watchdog: an outside SIGINT may end the kernel');
}

/**
 * `process.on('SIGINT')` listeners (from a cell) are moved here before each vm run: with listeners present
 * every run would remove and re-add them (38 us a run). They are called on each interrupt instead.
 */
export function reclaimSigint(): boolean {
  if (process.listenerCount('SIGINT') === 0) return false;
  taken.push(...(process.listeners('SIGINT') as typeof taken));
  process.removeAllListeners('SIGINT');
  return true;
}

/** Calls the reclaimed listeners, as Node would have on SIGINT; returns their errors. */
export function emitSigint(): unknown[] {
  const errors: unknown[] = [];
  for (const l of taken) {
    try {
      l('SIGINT');
    } catch (e) {
      errors.push(e);
    }
  }
  return errors;
}

/**
 * Hears SIGINTs that arrive while the main thread is in no vm run (a cell that awaits): the watchdog tells only
 * the runs that are registered, so a worker stays in one (sigint-worker.ts). `onSigint` gets the cell (epoch)
 * that was current. A listener that ends is replaced at once.
 */
export function listenForSigint(vmState: Int32Array, onSigint: (epoch: number) => void): void {
  const w = new Worker(path.join(__dirname, 'sigint-worker.js'), { workerData: { vmState } });
  w.unref();
  w.on('message', (m: { kind: string; epoch: number }) => m.kind === 'sigint' && onSigint(m.epoch));
  w.on('error', (e) => log('SIGINT listener failed:', e));
  w.on('exit', (code) => {
    log(`SIGINT listener ended (${code}); starting a new one`);
    listenForSigint(vmState, onSigint);
  });
}
