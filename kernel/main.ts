#!/usr/bin/env node
// Kernel entry: `node dist/kernel/main.js <connection_file>` (the kernelspec's argv).
import './typescript/ts-cache'; // first: loads typescript from a code cache before anything requires it
import { readConnection } from './protocol/connection';
import { Kernel } from './protocol/kernel';
import { NotebookShell } from './shell';
import { installProcessHooks } from './process-hooks';
import { log, logInfo } from './log';

const file = process.argv[2];
if (!file) {
  console.error('usage: main.js <connection_file>');
  process.exit(2);
}
const t0 = performance.now();
let kernel: Kernel;
let shell: NotebookShell;
try {
  kernel = new Kernel(readConnection(file));
  shell = new NotebookShell((t, c, p) => kernel.publish(t, c, p), kernel.stdin);
} catch (e) {
  // Message only: an uncaught error would print the offending source line, which may hold the key.
  log(`cannot start with connection file ${file}: ${(e as Error)?.message ?? e}`);
  process.exit(2);
}
installProcessHooks(kernel, shell);
kernel.start(shell).then(
  () => {
    void shell.executor.init();
    logInfo(`kernel ready in ${(performance.now() - t0).toFixed(0)} ms (pid ${process.pid}, Node ${process.version})`);
  },
  (e) => {
    log('kernel failed to start:', e?.stack ?? e);
    process.exit(1);
  },
);
