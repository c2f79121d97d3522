// SIGTERM and SIGHUP end the kernel, also while user code holds the main thread (issue 17 item 5).
// Node hands signals to the main thread's event loop only, and no public API lets another thread see one, so a
// listener cannot run while a cell spins in `while (true) {}` or blocks in `input()`: the kernel was still there
// 15 s after SIGTERM. So while user code runs, the kernel's listeners are off: with none left, libuv resets the
// signal to its default and the process ends at once. The reaper (backends/proc/reaper.ts) then kills the
// process groups of its tasks, and pool workers die with it (parent-death signal). When the thread is free again
// the listeners come back, and a signal gets the graceful shutdown (tasks cancelled, jobs scancelled, iopub
// flushed). Measured: a remove + add costs 18-28 us, so they come back at most every 20 ms, not after each run
// (a loop of awaits resumes the cell thousands of times a second).
import { log } from '../log';

const SIGNALS = ['SIGTERM', 'SIGHUP'] as const;
const REARM_MS = 20;

let handler: (() => void) | null = null;
let armed = false;
let warned = false;

/** Installs the graceful shutdown for SIGTERM and SIGHUP (once, from main.ts). */
export function onTerminate(shutdown: () => void): void {
  handler = () => {
    disarm();
    handler = null; // a second signal during the shutdown: the default (exit now)
    shutdown();
  };
  arm();
}

function arm(): void {
  if (armed || !handler) return;
  for (const sig of SIGNALS) process.on(sig, handler);
  armed = true;
}

function disarm(): void {
  if (!armed || !handler) return;
  for (const sig of SIGNALS) process.removeListener(sig, handler);
  armed = false;
  // Someone else's listener (a library's, a cell's) keeps the signal caught: then only the free thread can act.
  if (!warned && SIGNALS.some((sig) => process.listenerCount(sig) > 0)) {
    warned = true;
    log('SIGTERM/SIGHUP have other listeners: while a cell holds the thread, they wait for it');
  }
}

/** User code is about to hold the thread: a signal from now on ends the process at once. */
export function userCodeHoldsThread(): void {
  if (!armed) return;
  disarm();
  setTimeout(arm, REARM_MS).unref();
}
