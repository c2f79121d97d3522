// Holds Node's SIGINT watchdog for the kernel's life, with public API only, and hears SIGINTs that arrive while
// the main thread runs no user code (a cell that awaits).
// Node's vm breakOnSigint starts a process-wide watchdog for each run and, when the last run ends, installs a
// handler that exits (node_watchdog.cc, SigintWatchdogHelper::Stop): a SIGINT between two runs kills the kernel.
// This thread stays inside nested breakable runs, so the count never reaches zero. A SIGINT terminates only the
// most recently registered run (the watchdog stops at the first), so: the outer runs (hold, guard) are
// registered first and stay; the innermost (listen) is re-entered only while the main thread is in no run, so a
// run of user code that starts later is always the one a SIGINT breaks. Each break here is reported with the
// cell (epoch) that was current. Atomics.wait is woken by the watchdog's TerminateExecution (measured).
import * as vm from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import { EPOCH, IN_VM } from './vm-state';
import type { HolderReport } from './sigint';

const vmState = workerData.vmState as Int32Array;
const parked = new Int32Array(new SharedArrayBuffer(4));
const context = vm.createContext({ Atomics, parked, inner: null as null | (() => void) });
const BREAK = { breakOnSigint: true };
const wait = new vm.Script('for (;;) Atomics.wait(parked, 0, 0)');
const nest = new vm.Script('inner()');

function report(): void {
  const m: HolderReport = { kind: 'sigint', epoch: Atomics.load(vmState, EPOCH) };
  parentPort!.postMessage(m);
}

/** depth 2: hold, 1: guard, 0: listen. Never returns. */
function level(depth: number): void {
  for (;;) {
    if (depth === 0) while (Atomics.load(vmState, IN_VM) === 1) Atomics.wait(vmState, IN_VM, 1, 20);
    try {
      if (depth === 0) wait.runInContext(context, BREAK);
      else {
        context.inner = () => level(depth - 1);
        nest.runInContext(context, BREAK);
      }
    } catch (e) {
      if ((e as { code?: string })?.code !== 'ERR_SCRIPT_EXECUTION_INTERRUPTED') throw e;
      report();
    }
  }
}

level(2);
