// Load 4: a cell printing 50 MB does not wedge the kernel; output is batched; a cell printing without end can
// still be interrupted.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import type { KernelClient } from '../../bench/kernel-client';
import { evalText, ofType, rssMB, sleep, startCell, startKernel, streamText } from './helpers';

const MB50 = 50_000_000;
let k: KernelClient;
beforeAll(async () => {
  k = await startKernel();
  await evalText(k, 'const keep = 42');
});
afterAll(() => k?.close());

test('50 MB in 500,000 console.log lines: all of it arrives, batched, and the kernel answers after', async () => {
  const t0 = performance.now();
  const r = await k.execute('const line = "y".repeat(99); for (let i = 0; i < 500_000; i++) console.log(line); "printed"');
  const seconds = (performance.now() - t0) / 1000;
  expect(r.reply.content.status).toBe('ok');
  const streams = ofType(r.iopub, 'stream');
  expect(streamText(r.iopub).length).toBe(MB50);
  // One message per line would be 500,000; the kernel coalesces into chunks of about 64 KB.
  expect(streams.length).toBeLessThan(2000);
  console.log(`50 MB of stdout: ${seconds.toFixed(1)} s, ${streams.length} stream messages, kernel RSS ${rssMB(k.proc.pid!).toFixed(0)} MB`);
  expect(await evalText(k, 'keep')).toBe('42');
});

test('a cell printing in an endless loop is interrupted; the kernel answers and its memory stays bounded', async () => {
  const cell = await startCell(k, 'for (;;) console.log("spam ".repeat(200))');
  await sleep(1000); // let output pile up
  const t0 = performance.now();
  await k.sendRaw('control', k.frames('interrupt_request', {}).frames);
  const r = await cell.done;
  const ms = performance.now() - t0;
  console.log(`interrupting a printing loop: ${ms.toFixed(0)} ms`);
  expect(r.reply.content).toMatchObject({ status: 'error', ename: 'KeyboardInterrupt' });
  expect(ms).toBeLessThan(5000);
  expect(await evalText(k, 'keep')).toBe('42');
  expect(rssMB(k.proc.pid!)).toBeLessThan(1024);
});
