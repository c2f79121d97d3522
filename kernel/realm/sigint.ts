// The kernel owns SIGINT for the whole process, and it never falls back to Node's default (exit).
// - The watchdog is held by a thread that stays in breakable runs (sigint-holder.ts); no internal binding.
// - `process.on('SIGINT')` listeners (a cell's, a library's) are kept by the kernel, never registered with Node:
//   with a listener present, every breakOnSigint run removes and re-adds it (38 us a run), and removing the last
//   one stops libuv's signal handle, which resets SIGINT to the default under the watchdog. The kernel calls them
//   on each interrupt, as Node would on SIGINT.
// Measured (Node 20.20, 22, 24, 26): 300 SIGINTs 1 ms apart against an idle kernel and against back-to-back runs
// left it alive.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { log } from '../log';

/** What the holder thread reports. */
export type HolderReport = { kind: 'sigint'; epoch: number };

type Listener = (signal: 'SIGINT') => void;
const kept: { listener: Listener; once: boolean }[] = [];

/** Diverts SIGINT listeners into `kept`; installed once, from main.ts. */
export function keepSigintListeners(): void {
  const p = process as any;
  const add = (name: string, once: boolean, prepend: boolean) => {
    const original = p[name].bind(process);
    p[name] = (event: string | symbol, listener: Listener) => {
      if (event !== 'SIGINT') return original(event, listener);
      if (typeof listener !== 'function') return original(event, listener); // Node's own TypeError
      const entry = { listener, once };
      if (prepend) kept.unshift(entry);
      else kept.push(entry);
      return process;
    };
  };
  add('on', false, false);
  add('addListener', false, false);
  add('once', true, false);
  add('prependListener', false, true);
  add('prependOnceListener', true, true);
  for (const name of ['off', 'removeListener']) {
    const original = p[name].bind(process);
    p[name] = (event: string | symbol, listener: Listener) => {
      if (event !== 'SIGINT') return original(event, listener);
      const i = kept.findIndex((e) => e.listener === listener);
      if (i >= 0) kept.splice(i, 1);
      return process;
    };
  }
}

/** Calls the kept listeners, as Node would have on SIGINT; returns their errors. */
export function emitSigint(): unknown[] {
  const errors: unknown[] = [];
  for (const entry of [...kept]) {
    if (entry.once) kept.splice(kept.indexOf(entry), 1);
    try {
      entry.listener('SIGINT');
    } catch (e) {
      errors.push(e);
    }
  }
  return errors;
}

/**
 * Starts the holder thread; `onSigint` gets the cell (epoch) that was current when a SIGINT arrived outside any
 * run of user code. A holder that ends is replaced at once.
 */
export function holdSigint(vmState: Int32Array, onSigint: (epoch: number) => void): void {
  const w = new Worker(path.join(__dirname, 'sigint-holder.js'), { workerData: { vmState } });
  w.unref();
  w.on('message', (m: HolderReport) => {
    switch (m.kind) {
      case 'sigint':
        return onSigint(m.epoch);
      default:
        return ((x: never) => log('holder: unknown report', x))(m.kind);
    }
  });
  w.on('error', (e) => log('SIGINT holder failed:', e));
  w.on('exit', (code) => {
    if (exiting) return;
    log(`SIGINT holder ended (${code}); starting a new one`);
    holdSigint(vmState, onSigint);
  });
}

let exiting = false;
process.once('exit', () => (exiting = true));
