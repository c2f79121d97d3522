// A cell's async function with awaits can still be shipped to a thread or process worker: the kernel compiles
// `await x` to `await __flowbook_await(x)`, and the worker must not take that for a captured variable.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { KernelClient, Msg } from '../../bench/kernel-client';
import { KERNEL_ARGV } from './helpers';

const result = (ms: Msg[]) => ms.find((m) => m.header.msg_type === 'execute_result')?.content.data['text/plain'];
let k: KernelClient;
beforeAll(async () => {
  k = new KernelClient();
  await k.start(KERNEL_ARGV);
  await k.ready();
});
afterAll(() => k.close());

test.each(['threads', 'processes'])('an async task with await and for await runs on %s', async (backend) => {
  const code = `await flow.functionTask(async function twice(x: number) {
  await new Promise((r) => setTimeout(r, 10));
  for await (const v of (async function* () { yield x; })()) return v * 2;
}, { backend: '${backend}' })(21)`;
  const r = await k.execute(code);
  expect(r.reply.content.evalue ?? '').toBe('');
  expect(result(r.iopub)).toBe('42');
}, 60_000);
