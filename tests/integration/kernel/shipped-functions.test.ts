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

const failure = (r: { reply: Msg }): string => `${r.reply.content.ename}: ${r.reply.content.evalue}`;

// The first task of a fresh backend too: a refusal at submit once left the cell waiting forever.
test.each(['threads', 'processes'])("a cell's const URL used in a task on %s is refused, never the worker's URL class", async (backend) => {
  const r = await k.execute(`const URL = 'http://example.org'; await flow.functionTask(() => String(URL), { backend: '${backend}' })()`);
  expect(failure(r)).toBe("ClosureError: task 'task' uses 'URL' from its enclosing scope; pass 'URL' as an argument (it hides the global URL, which a worker would use instead)");
}, 60_000);

test('the advice fits what the cell captured: a module, a function, data', async () => {
  const r = await k.execute(`import * as os from 'node:os';
const helper = (x: number) => x + 1;
const rows = [1, 2];
await flow.functionTask(() => [os.cpus().length, helper(1), rows], { backend: 'threads' })()`);
  expect(failure(r)).toBe("ClosureError: task 'task' uses 'os', 'helper', 'rows' from its enclosing scope; call require('os') inside the task instead of 'os'; make 'helper' a task of its own, or define it inside this one; pass 'rows' as an argument");
}, 60_000);

test.each(['threads', 'processes'])("require() inside a task on %s resolves from the notebook's directory, as the cell's own", async (backend) => {
  const r = await k.execute(`await flow.functionTask(() => require('./package.json').name, { backend: '${backend}' })()`);
  expect(r.reply.content.evalue ?? '').toBe('');
  expect(result(r.iopub)).toBe("'flowbook'");
}, 60_000);
