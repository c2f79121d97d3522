// Sits in a vm run with breakOnSigint, so that Node's SIGINT watchdog tells this thread about every signal, also
// those that arrive while the main thread runs no user code. Each signal ends the run; we report the cell that
// was current (vmState[2], its epoch) to the control thread and wait again. Atomics.wait is woken by the
// watchdog's TerminateExecution (measured), so the thread costs nothing between signals.
import * as vm from 'node:vm';
import { MessagePort, workerData } from 'node:worker_threads';

const vmState = workerData.vmState as Int32Array;
const port = workerData.port as MessagePort;
const parked = new Int32Array(new SharedArrayBuffer(4));
const context = vm.createContext({ Atomics, parked });
const wait = new vm.Script('for (;;) Atomics.wait(parked, 0, 0)');

for (;;) {
  try {
    wait.runInContext(context, { breakOnSigint: true });
  } catch (e) {
    if ((e as { code?: string })?.code !== 'ERR_SCRIPT_EXECUTION_INTERRUPTED') throw e;
    port.postMessage({ kind: 'sigint', epoch: Atomics.load(vmState, 2) });
  }
}
