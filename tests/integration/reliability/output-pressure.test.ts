// Load 4: a cell printing 50 MB does not wedge the kernel; output is batched; a cell printing without end can
// still be interrupted.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zmq from 'zeromq';
import type { KernelClient } from '../../bench/kernel-client';
import { evalText, ofType, rssMB, sleep, startCell, startKernel, streamText, tempDir, waitFor } from './helpers';

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

test('output of a cell that holds the thread arrives while it runs (progress on long work)', async () => {
  const code = 'console.log("started"); const t0 = Date.now(); let ticks = 0; while (Date.now() - t0 < 2500) { if (Date.now() - t0 > (ticks + 1) * 500) console.log(`tick ${++ticks}`); } ticks';
  const cell = await startCell(k, code);
  const live = await k.waitIopub(cell.id, (ms) => streamText(ms).includes('tick 2'));
  expect(streamText(live)).toMatch(/^started\ntick 1\ntick 2\n/);
  expect(ofType(live, 'execute_result')).toHaveLength(0); // the cell still holds the thread
  expect(Number(ofType((await cell.done).iopub, 'execute_result')[0].content.data['text/plain'])).toBeGreaterThanOrEqual(4);
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
  // The error and the idle status behind hundreds of MB of output still arrive (a PUB socket dropped them).
  const iopub = await k.waitIopub(cell.id, (ms) => ms.some((m) => m.header.msg_type === 'status' && m.content.execution_state === 'idle'));
  expect(ofType(iopub, 'error').map((m) => m.content.ename)).toEqual(['KeyboardInterrupt']);
  expect(await evalText(k, 'keep')).toBe('42');
  expect(rssMB(k.proc.pid!)).toBeLessThan(1024);
});

test('a subscriber that stops reading: stream output beyond the backlog is dropped with a notice, nothing else', async () => {
  const stuck = new zmq.Subscriber({ receiveHighWaterMark: 1, receiveBufferSize: 4096, linger: 0 });
  stuck.connect(`tcp://127.0.0.1:${k.conn.iopub_port}`);
  stuck.subscribe();
  await sleep(300); // subscribed
  // 120 MB: more than the socket's 1,000 messages of up to 64 KB for the stuck pipe, plus the kernel's backlog
  const marker = path.join(tempDir('stuck'), 'done');
  const cell = await startCell(k, `for (let i = 0; i < 6000; i++) { process.stdout.write("z".repeat(20_000)); await new Promise((r) => setImmediate(r)); } require("node:fs").writeFileSync(${JSON.stringify(marker)}, ""); "end"`);
  await waitFor(() => fs.existsSync(marker), 'the cell to print everything', 60_000);
  stuck.close(); // iopub flows again
  const r = await cell.done;
  expect(r.reply.content.status).toBe('ok');
  const iopub = r.iopub;
  const printed = streamText(iopub).length;
  const notice = streamText(iopub, 'stderr');
  console.log(`stuck subscriber: ${(printed / 1e6).toFixed(1)} of 120 MB delivered; notice: ${notice.trim()}`);
  expect(printed).toBeLessThan(120_000_000);
  expect(notice).toMatch(/\[flowbook\] [\d.]+ MB of output dropped/);
  expect(ofType(iopub, 'execute_result').map((m) => m.content.data['text/plain'])).toEqual(["'end'"]);
  const types = iopub.map((m) => m.header.msg_type);
  expect(types.indexOf('execute_result')).toBeGreaterThan(types.lastIndexOf('stream'));
  expect(await evalText(k, 'keep')).toBe('42');
});
