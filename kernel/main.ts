#!/usr/bin/env node
// Kernel entry: `node dist/kernel/main.js <connection_file>` (the kernelspec's argv).
// The protocol layer starts first and the shell (TypeScript, the engine) loads later, when the kernel has
// answered kernel_info (protocol/kernel.ts): nothing here may import the shell at the top.
import { readConnection, type ConnectionInfo } from './protocol/connection';
import { startControlThread } from './protocol/control-start';
import { Signer } from './protocol/wire';
import type { Kernel } from './protocol/kernel';
import { newVmState } from './realm/vm-state';
import type { NotebookShell } from './shell';
import { LanguageClient } from './typescript/language-client';
import { PRELUDE } from './shell/prelude-names';
import { KERNEL_ENV } from './node-flags';
import { log, logInfo } from './log';

const file = process.argv[2];
if (!file) {
  console.error('usage: main.js <connection_file>');
  process.exit(2);
}
const t0 = performance.now();
const vmState = newVmState();
// glibc read the kernelspec's malloc setting at start (node-flags.ts); tasks' processes must not inherit it.
for (const [k, v] of Object.entries(KERNEL_ENV)) if (process.env[k] === v) delete process.env[k];

/** Loads the shell and installs the process-wide hooks (once, on the kernel's first need of it). */
function loadShell(): NotebookShell {
  const t = performance.now();
  // The language worker first: its thread loads TypeScript and builds the program while this one loads the
  // shell (~110 ms): the first inspect after kernel_info 245 ms (lang bench, load 1). Started with the kernel
  // instead, it took the second core from the start: start -> first result 540-580 ms against 435-445 ms this
  // way (median of 15, Deno 485 ms in the same runs).
  const language = new LanguageClient();
  language.start(PRELUDE);
  require('./typescript/ts-cache'); // first: typescript from a V8 code cache, before anything requires it
  const { NotebookShell: Shell } = require('./shell') as typeof import('./shell');
  const { installProcessHooks } = require('./process-hooks') as typeof import('./process-hooks');
  const shell = new Shell((type, content, parent) => kernel.publish(type, content, parent), kernel.stdin, { vmState, language });
  installProcessHooks(kernel, shell);
  void shell.executor.init();
  logInfo(`shell loaded in ${(performance.now() - t).toFixed(0)} ms`);
  return shell;
}

let conn: ConnectionInfo;
try {
  conn = readConnection(file);
  void new Signer(conn.key, conn.signature_scheme); // refuses an unknown scheme before any thread starts
} catch (e) {
  // Message only: an uncaught error would print the offending source line, which may hold the key.
  log(`cannot start with connection file ${file}: ${(e as Error)?.message ?? e}`);
  process.exit(2);
}
// First: that thread boots while this one loads zeromq and the protocol layer (control-start.ts).
const control = startControlThread(conn, vmState);
const { Kernel: KernelClass } = require('./protocol/kernel') as typeof import('./protocol/kernel');
const kernel: Kernel = new KernelClass(conn, vmState, loadShell, control);
kernel.start().then(
  () => logInfo(`kernel listening in ${(performance.now() - t0).toFixed(0)} ms (pid ${process.pid}, Node ${process.version})`),
  (e) => {
    log('kernel failed to start:', e?.stack ?? e);
    process.exit(1);
  },
);
