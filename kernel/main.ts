#!/usr/bin/env node
// Kernel entry: `node dist/kernel/main.js <connection_file>` (the kernelspec's argv).
import './typescript/ts-cache'; // first: loads typescript from a code cache before anything requires it
import { readConnection } from './protocol/connection';
import { Kernel } from './protocol/kernel';
import { log } from './log';

const file = process.argv[2];
if (!file) {
  console.error('usage: main.js <connection_file>');
  process.exit(2);
}
const t0 = performance.now();
let kernel: Kernel;
try {
  kernel = new Kernel(readConnection(file));
} catch (e) {
  // Message only: an uncaught error would print the offending source line, which may hold the key.
  log(`cannot start with connection file ${file}: ${(e as Error)?.message ?? e}`);
  process.exit(2);
}
kernel.start().then(
  () => log(`kernel ready in ${(performance.now() - t0).toFixed(0)} ms (pid ${process.pid})`),
  (e) => {
    log('kernel failed to start:', e?.stack ?? e);
    process.exit(1);
  },
);
