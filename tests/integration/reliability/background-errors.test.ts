// Fault 5: uncaught exceptions and unhandled rejections from background work (timers, workflow tasks) are
// reported as `error` output on the cell that started them, even while another cell runs; the kernel survives.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { KernelClient } from '../../bench/kernel-client';
import { evalText, ofType, startKernel } from './helpers';

let k: KernelClient;
beforeAll(async () => {
  k = await startKernel();
  await evalText(k, 'const keep = 42');
});
afterAll(() => k?.close());

/**
 * Cell A starts background work that fails ~300 ms later and returns at once; cell B is running (awaiting 1 s)
 * when the failure happens. The error must land on A, not on B (the cell running) and not be lost.
 */
async function failsLater(start: string, message: string): Promise<void> {
  const a = await k.execute(`${start}; 'started'`);
  expect(a.reply.content.status).toBe('ok');
  const b = await k.execute("await new Promise((r) => setTimeout(r, 1000)); 'b done'");
  expect(b.reply.content.status).toBe('ok');
  expect(ofType(b.iopub, 'error')).toEqual([]);
  const onA = ofType(k.byParent.get(a.id)!, 'error');
  expect(onA.map((m) => m.content.evalue)).toEqual([message]);
  expect(onA[0].content.traceback.join('\n')).toContain(message);
  expect(k.alive()).toBe(true);
  expect(await evalText(k, 'keep')).toBe('42');
}

describe('background failures go to the cell that started them', () => {
  test('an exception thrown in a timer', () =>
    failsLater("setTimeout(() => { throw new Error('timer threw') }, 300)", 'timer threw'));

  test('a promise rejected in a timer that nobody handles', () =>
    failsLater("setTimeout(() => { Promise.reject(new Error('nobody caught me')) }, 300)", 'nobody caught me'));

  test('an exception thrown by background work started inside a workflow task', () =>
    failsLater(
      "flow.functionTask(async () => { setTimeout(() => { throw new Error('task background threw') }, 300); return 1 }, { name: 'bg' })()",
      'task background threw',
    ));

  test('a failing task whose result is chained but never handled', () =>
    failsLater(
      "flow.functionTask(async () => { await new Promise((r) => setTimeout(r, 300)); throw new Error('task failed unobserved') }, { name: 'late' })().then((v) => v)",
      'task failed unobserved',
    ));

  test('a burst of 200 background errors is reported and the kernel keeps serving', async () => {
    const a = await k.execute("for (let i = 0; i < 200; i++) setTimeout(() => { throw new Error('burst ' + i) }, 10); 'ok'");
    expect(a.reply.content.status).toBe('ok');
    expect(await evalText(k, "await new Promise((r) => setTimeout(r, 500)); keep")).toBe('42');
    expect(ofType(k.byParent.get(a.id)!, 'error')).toHaveLength(200);
  });
});
