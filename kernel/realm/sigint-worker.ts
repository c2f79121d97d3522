// Sits in a vm run with breakOnSigint, so that Node's SIGINT watchdog tells this thread about every signal, also
// those that arrive while the main thread runs no user code. Each signal ends the run; we report the cell that
// was current (its epoch) and wait again. Atomics.wait is woken by the watchdog's TerminateExecution (measured), so the
// thread costs nothing between signals. If a second signal terminates it between two runs, the kernel starts a
// new one.
import * as vm from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import { EPOCH } from './vm-state';

const vmState = workerData.vmState as Int32Array;
const parked = new Int32Array(new SharedArrayBuffer(4));
const context = vm.createContext({ Atomics, parked });
const wait = new vm.Script('for (;;) Atomics.wait(parked, 0, 0)');

for (;;) {
  try {
    wait.runInContext(context, { breakOnSigint: true });
  } catch (e) {
    if ((e as { code?: string })?.code !== 'ERR_SCRIPT_EXECUTION_INTERRUPTED') throw e;
    parentPort!.postMessage({ kind: 'sigint', epoch: Atomics.load(vmState, EPOCH) });
  }
}
