import { afterEach, describe, expect, test } from '@jest/globals';
import { TaskCancelledError, TaskTimeoutError, WorkflowEngine } from '../../../extension';

let flow: WorkflowEngine;
afterEach(() => flow?.shutdown());

describe('gather', () => {
  test('resolves futures, promises and plain values in order, without touching the input', async () => {
    flow = await WorkflowEngine.create();
    const later = flow.functionTask(async (x: number) => { await new Promise((r) => setTimeout(r, 5)); return x; });
    const now = flow.functionTask((x: number) => x);
    const done = now(0);
    await done;
    const input = [later(1), now(2), Promise.resolve(3), 4, done] as const;
    expect(await flow.gather(input)).toEqual([1, 2, 3, 4, 0]);
    expect(input[2]).toBeInstanceOf(Promise);
    expect(await flow.gather([])).toEqual([]);
  });

  test('rejects with the first failure', async () => {
    flow = await WorkflowEngine.create();
    const boom = flow.functionTask(async (m: string) => { throw new Error(m); });
    const ok = flow.functionTask(async () => 1);
    await expect(flow.gather([ok(), boom('first'), ok()])).rejects.toThrow('first');
  });
});

describe('in-loop functions', () => {
  test('a timed-out in-loop function fails with TaskTimeoutError; a cancelled one is CANCELLED at once', async () => {
    flow = await WorkflowEngine.create();
    const hang = flow.functionTask(() => new Promise<never>(() => {}), { name: 'hang' });
    await expect(flow.functionTask(() => new Promise<never>(() => {}), { timeoutMs: 50, name: 'hang' })()).rejects.toThrow(TaskTimeoutError);
    const f = hang();
    expect(f.state).toBe('RUNNING');
    f.cancel();
    expect(f.state).toBe('CANCELLED');
    await expect(f).rejects.toBeInstanceOf(TaskCancelledError);
  });

  test('sync functions that throw fail the task; a 20k chain of sync functions does not overflow', async () => {
    flow = await WorkflowEngine.create();
    await expect(flow.functionTask(() => { throw new TypeError('sync'); })()).rejects.toThrow(TypeError);
    const inc = flow.functionTask((x: number) => x + 1);
    let f = inc(0);
    for (let i = 1; i < 20000; i++) f = inc(f);
    expect(await f).toBe(20000);
  });
});
