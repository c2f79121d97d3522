// The same behaviour is required of both function executors, so one suite runs against each.
import { afterEach, describe, expect, test } from '@jest/globals';
import {
  ClosureError, ConcurrentExecutionBackend, Executor, ProcessPoolExecutor, TaskCancelledError, TaskTimeoutError,
  ThreadPoolExecutor, WorkerCrashError, WorkflowEngine,
} from '../../../extension';
import { childPids } from '../../support/procs';

const executors: Array<[string, () => Executor]> = [
  ['threads', () => new ThreadPoolExecutor({ maxWorkers: 2 })],
  ['processes', () => new ProcessPoolExecutor({ maxWorkers: 2 })],
];

let flow: WorkflowEngine;
afterEach(() => flow?.shutdown());

describe.each(executors)('%s executor', (kind, make) => {
  const create = async () => (flow = await WorkflowEngine.create({ backend: new ConcurrentExecutionBackend(make()) }));

  test('runs sync and async functions with structured-cloned args, backend name is the kind', async () => {
    await create();
    expect(flow.backend.name).toBe(kind);
    const sq = flow.functionTask((x: number) => x * x, { name: 'sq' });
    const later = flow.functionTask(async (m: Map<string, number>) => { await new Promise((r) => setTimeout(r, 5)); return m.get('a'); });
    const f = sq(3);
    expect(await sq(f)).toBe(81);
    expect(f.backend).toBe(kind);
    expect(await later(new Map([['a', 7]]))).toBe(7);
  });

  test('the function runs outside this thread/process', async () => {
    await create();
    const where = flow.functionTask(() => `${process.pid}:${require('node:worker_threads').threadId}`);
    const here = `${process.pid}:${require('node:worker_threads').threadId}`;
    expect(await where()).not.toBe(here);
  });

  test('a closure over an enclosing variable fails with a ClosureError naming it', async () => {
    await create();
    const factor = 3;
    const square = flow.functionTask((x: number) => x * factor, { name: 'square' });
    const err = await square(2).then(() => null, (e) => e);
    expect(err).toBeInstanceOf(ClosureError);
    expect((err as Error).message).toMatch(/^task 'square' uses 'factor' from its enclosing scope; require\(\) a module inside the task, pass data as an argument/);
  });

  test('a refused first task of a built-in backend (started on first use) fails its future', async () => {
    flow = await WorkflowEngine.create();
    const factor = 3;
    const err = await flow.functionTask((x: number) => x * factor, { backend: kind })(2).then(() => null, (e) => e);
    expect(err).toBeInstanceOf(ClosureError);
  });

  test('a thrown error comes back with its name and message', async () => {
    await create();
    const bad = flow.functionTask(() => { throw new RangeError('out of range'); });
    const err = (await bad().then(() => null, (e) => e)) as Error;
    expect(err.name).toBe('RangeError');
    expect(err.message).toBe('out of range');
  });

  test('a result that cannot be sent back fails that task with an error naming it', async () => {
    await create();
    const fnret = flow.functionTask(() => () => 1, { name: 'fnret' });
    const ok = flow.functionTask((x: number) => x + 1);
    const [a, b, c] = await Promise.allSettled([fnret(), ok(1), ok(2)]);
    expect(a.status).toBe('rejected');
    expect(((a as PromiseRejectedResult).reason as Error).message).toMatch(/^task 'fnret': its result could not be sent back/);
    expect([b, c].map((r) => (r as PromiseFulfilledResult<number>).value)).toEqual([2, 3]);
  });

  test('process.exit inside a task fails only that task (one task per worker); the pool keeps working', async () => {
    flow = await WorkflowEngine.create({
      backend: new ConcurrentExecutionBackend(kind === 'threads'
        ? new ThreadPoolExecutor({ maxWorkers: 2, concurrentTasksPerWorker: 1 })
        : new ProcessPoolExecutor({ maxWorkers: 2, concurrentTasksPerWorker: 1 })),
    });
    const die = flow.functionTask(() => process.exit(1), { name: 'die' });
    const ok = flow.functionTask(async (x: number) => { await new Promise((r) => setTimeout(r, 20)); return x; });
    const others = [ok(1), ok(2), ok(3)];
    const err = await die().then(() => null, (e) => e);
    expect(err).toBeInstanceOf(WorkerCrashError);
    expect((err as Error).message).toContain("task 'die'");
    expect(await Promise.all(others)).toEqual([1, 2, 3]);
    expect(await Promise.all([ok(4), ok(5), ok(6)])).toEqual([4, 5, 6]);
  });

  test('blocking work does not block the event loop', async () => {
    await create();
    const spin = flow.functionTask((ms: number) => { const end = Date.now() + ms; while (Date.now() < end); return 'spun'; });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const result = await spin(400);
    clearInterval(timer);
    expect(result).toBe('spun');
    expect(ticks).toBeGreaterThan(10);
  });

  test('timeout stops a busy task, frees its worker, and the pool keeps working', async () => {
    await create();
    const forever = flow.functionTask(() => { for (;;); }, { timeoutMs: 200, name: 'forever' });
    const two = [forever(), forever()];
    for (const f of two) await expect(f).rejects.toBeInstanceOf(TaskTimeoutError);
    const quick = flow.functionTask((x: number) => x + 1);
    expect(await Promise.all([quick(1), quick(2), quick(3)])).toEqual([2, 3, 4]);
  });

  test('cancel of a running task and of a queued one', async () => {
    await create();
    const busy = flow.functionTask(() => { for (;;); }, { name: 'busy' });
    const running = [busy(), busy()];
    const queued = busy();
    await new Promise((r) => setTimeout(r, 50));
    queued.cancel();
    for (const f of running) f.cancel();
    for (const f of [...running, queued]) await expect(f).rejects.toBeInstanceOf(TaskCancelledError);
    expect(await flow.functionTask(() => 'after')()).toBe('after');
  });

  test('shutdown leaves no child process', async () => {
    const before = new Set(childPids());
    await create();
    const nap = flow.functionTask(() => new Promise((r) => setTimeout(r, 50)));
    await Promise.all([nap(), nap(), nap()]);
    await flow.shutdown();
    expect(childPids().filter((p) => !before.has(p))).toEqual([]);
  });
});
