// Every process-wide hook the kernel installs, in one place (called once from main.ts).
import type { Kernel } from './protocol/kernel';
import type { NotebookShell } from './shell';
import { routeProcessOutput } from './shell/routing';
import { holdSigint, keepSigintListeners } from './realm/sigint';
import { onTerminate } from './realm/sigterm';
import { asyncStackWarning } from './realm/async-stack';
import { installHost } from '../extension/host';
import { locateInCells } from './shell/cell-sources';
import { log, stderrClosed } from './log';

export function installProcessHooks(kernel: Kernel, shell: NotebookShell): void {
  const ex = shell.executor;
  const current = () => ex.runtime.als.getStore();
  // SIGINT: kept by the kernel (realm/sigint.ts) before anything can add a listener.
  keepSigintListeners();
  holdSigint(shell.interruptState, (epoch) => kernel.sigintHeard(epoch));
  const warning = asyncStackWarning();
  if (warning) log(warning);
  // console.log and process.stdout/stderr.write go to the cell that started the work.
  routeProcessOutput(current);
  // In-loop tasks, blocks and command builders run breakable, and come back as host promises. A function shipped
  // to a worker is found in its cell, so the worker's stack frames name the cell's lines.
  installHost({ callUser: (fn, args) => shell.callUser(fn, args), locateFunction: locateInCells });
  // Background failures go to the cell whose code started the work (its ALS store), else the latest cell.
  process.on('uncaughtException', (err) => ex.background(err, current()));
  process.on('unhandledRejection', (reason, promise) =>
    ex.background(reason, (promise as any)?.[(ex.runtime.als as any).kResourceStore] ?? current()));
  // Output batched per turn of the loop goes out before user code holds the thread (a cell's execute_input).
  ex.runtime.beforeUserCode = () => kernel.flushOutput();
  // process.exit() in a cell: a clean shutdown after the cell's reply (the server then restarts the kernel).
  ex.runtime.onExit = (code) => {
    process.exitCode = code;
    void kernel.shutdownWhenIdle();
  };
  // The real stdout/stderr closed (the server that started us died): never an error loop (log.ts).
  process.stderr.on('error', stderrClosed);
  process.stdout.on('error', () => {});
  watchParent(() => void kernel.shutdown());
  // Killed by the notebook server (restart timeout, SIGTERM to our group): still stop tasks' processes and jobs;
  // while a cell holds the thread, the signal's default ends the process (realm/sigterm.ts).
  onTerminate(() => void kernel.shutdown());
}

/**
 * Started by jupyter_client (JPY_PARENT_PID set, as ipykernel's parent poller reads it): when the server dies and
 * we are reparented, shut down rather than live on with nobody to serve (orphaned kernels were found running
 * an hour after their client had gone). One check a second, off the event loop's ref count.
 */
function watchParent(shutdown: () => void): void {
  if (!process.env.JPY_PARENT_PID) return;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    log(`the process that started the kernel (pid ${parent}) is gone: shutting down`);
    shutdown();
  }, 1000);
  timer.unref();
}
