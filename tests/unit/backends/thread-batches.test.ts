// Thread pool batching keeps per-task isolation: a crash or a cancel inside a batch fails only its task.
import { afterEach, describe, expect, test } from '@jest/globals';
import { ConcurrentExecutionBackend, TaskCancelledError, ThreadPoolExecutor, WorkerCrashError, WorkflowEngine } from '../../../extension';

let flow: WorkflowEngine;
afterEach(() => flow?.shutdown());

describe('thread pool batches', () => {
  test('a task that exits inside a batch fails alone; its batch-mates succeed', async () => {
    flow = await WorkflowEngine.create({ backend: new ConcurrentExecutionBackend(new ThreadPoolExecutor({ maxWorkers: 2 })) });
    const work = flow.functionTask((i: number) => { if (i === 17) process.exit(1); return i * 2; }, { name: 'work' });
    const fs = Array.from({ length: 60 }, (_, i) => work(i));
    const settled = await Promise.allSettled(fs);
    const failed = settled.flatMap((s, i) => (s.status === 'rejected' ? [[i, s.reason]] : []));
    expect(failed).toHaveLength(1);
    expect(failed[0][0]).toBe(17);
    expect(failed[0][1]).toBeInstanceOf(WorkerCrashError);
    expect(settled.filter((s) => s.status === 'fulfilled').map((s) => (s as PromiseFulfilledResult<number>).value))
      .toEqual(Array.from({ length: 60 }, (_, i) => i * 2).filter((v) => v !== 34));
  });

  test('cancelling a running task in a batch stops it and the others still finish', async () => {
    flow = await WorkflowEngine.create({ backend: new ConcurrentExecutionBackend(new ThreadPoolExecutor({ maxWorkers: 1 })) });
    const work = flow.functionTask(async (i: number) => {
      if (i === 3) for (;;);
      await new Promise((r) => setTimeout(r, 20));
      return i;
    }, { name: 'work' });
    const fs = Array.from({ length: 12 }, (_, i) => work(i));
    await new Promise((r) => setTimeout(r, 100));
    expect(fs[3].cancel()).toBe(true);
    await expect(fs[3]).rejects.toBeInstanceOf(TaskCancelledError);
    const rest = await Promise.all(fs.filter((_, i) => i !== 3));
    expect(rest).toEqual([0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11]);
  });
});
