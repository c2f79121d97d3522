// A future as a cell's last expression shows its state at once and is not awaited (issue 14 item 10); a plain
// promise still is.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import type { KernelClient } from '../../bench/kernel-client';
import { evalText, startKernel } from '../reliability/helpers';

let k: KernelClient;
beforeAll(async () => {
  k = await startKernel();
});
afterAll(() => k?.close());

test('a TaskFuture result is shown, not awaited; a Promise result is awaited', async () => {
  await evalText(k, '1'); // the first cell also pays for the kernel's warm-up
  const t0 = Date.now();
  const text = await evalText(k, 'const load = flow.functionTask(async () => { await new Promise((r) => setTimeout(r, 5000)); return 1 }, { name: "load" })\nload()');
  expect([text, Date.now() - t0 < 4000]).toEqual([text, true]);
  expect(text).toMatch(/^<TaskFuture load\.\d+ (PENDING|RUNNING)( \d+ ms)?>$/);
  expect(await evalText(k, 'new Promise((r) => setTimeout(() => r(42), 50))')).toBe('42');
  expect(await evalText(k, 'flow')).toMatch(/^<WorkflowEngine backends async\*; 1 (pending|running)>$/);
}, 60_000);
