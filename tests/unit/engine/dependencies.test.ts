import { afterEach, describe, expect, test } from '@jest/globals';
import { DependencyFailureError, TaskEvent, TaskFuture, WorkflowEngine } from '../../../extension';

let flow: WorkflowEngine;
afterEach(() => flow?.shutdown());

describe('dependencies', () => {
  test('the issue example: futures positional and inside an object, executable result is trimmed stdout', async () => {
    flow = await WorkflowEngine.create();
    const fetchData = flow.functionTask(async (n: number) => n * 2);
    const compile = flow.executableTask((x: number) => `echo ${x}`);
    const both = flow.functionTask((a: number, b: { x: string }) => a + Number(b.x));
    expect(await both(fetchData(1), { x: compile(3) })).toBe(5);
  });

  test('futures in arrays, nested objects and as keyword-style options', async () => {
    flow = await WorkflowEngine.create();
    const val = flow.functionTask(async (n: number) => n);
    const sum = flow.functionTask((xs: number[], o: { a: { b: number[] }; c: number }) => xs.reduce((s, x) => s + x, 0) + o.a.b[1] + o.c);
    expect(await sum([val(1), 2, val(3)], { a: { b: [0, val(10)] }, c: val(100) })).toBe(116);
  });

  test('an async command builder (as AsyncFlow allows) works', async () => {
    flow = await WorkflowEngine.create();
    const date = flow.executableTask(async (word: string) => `echo ${word}`);
    expect(await date(flow.functionTask(async () => 'hi')())).toBe('hi');
  });

  test('plain promises are dependencies too; class instances pass through untouched', async () => {
    flow = await WorkflowEngine.create();
    class Box { constructor(readonly v: number) {} }
    const box = new Box(7);
    const f = flow.functionTask((p: number, b: Box) => (b === box ? p + b.v : -1));
    expect(await f(Promise.resolve(1) as unknown as number, box)).toBe(8);
  });

  test('a dependent becomes ready in the same tick its last dependency finishes (no polling)', async () => {
    flow = await WorkflowEngine.create();
    const slow = flow.functionTask(() => new Promise<number>((r) => setTimeout(() => r(1), 20)), { name: 'slow' });
    const next = flow.functionTask((x: number) => x + 1, { name: 'next' });
    let macrotaskRan: boolean | undefined;
    let sawDependentStart: boolean | undefined;
    flow.on('task', (e: TaskEvent) => {
      if (e.name === 'slow' && e.state === 'DONE') {
        macrotaskRan = false;
        setImmediate(() => (macrotaskRan = true));
      }
      if (e.name === 'next' && e.state === 'RUNNING') sawDependentStart = macrotaskRan === false;
    });
    expect(await next(slow())).toBe(2);
    expect(sawDependentStart).toBe(true);
  });

  test('a failed dependency fails the dependent with DependencyFailureError whose cause names it', async () => {
    flow = await WorkflowEngine.create();
    const boom = flow.functionTask(async () => { throw new Error('kaput'); }, { name: 'boom' });
    const mid = flow.functionTask((x: unknown) => x, { name: 'mid' });
    const last = flow.functionTask((x: unknown) => x, { name: 'last' });
    const f = last(mid(boom()));
    const err = (await f.then(() => null, (e) => e)) as DependencyFailureError;
    expect(err).toBeInstanceOf(DependencyFailureError);
    expect(err.message).toContain("task 'last'");
    expect(err.message).toContain("'mid'");
    const inner = err.cause as DependencyFailureError;
    expect(inner).toBeInstanceOf(DependencyFailureError);
    expect(inner.dependencyName).toBe('boom');
    expect((inner.cause as Error).message).toBe('kaput');
    expect(f.state).toBe('FAILED');
  });

  test('a rejected promise argument fails the task naming it', async () => {
    flow = await WorkflowEngine.create();
    const t = flow.functionTask((x: number) => x, { name: 'usesPromise' });
    const f = t(Promise.reject(new Error('nope')) as unknown as number);
    await expect(f).rejects.toThrow(/task 'usesPromise' cannot run.*nope/);
  });

  test('a dependency that already failed fails the new dependent at once', async () => {
    flow = await WorkflowEngine.create();
    const boom = flow.functionTask(() => { throw new Error('x'); }, { name: 'boom' });
    const b = boom();
    await b.then(undefined, () => {});
    const f = flow.functionTask((x: unknown) => x, { name: 'late' })(b);
    expect(f.state).toBe('FAILED');
    await expect(f).rejects.toBeInstanceOf(DependencyFailureError);
  });

  test('a 2,000-deep chain resolves and a failure at its root cascades without overflowing', async () => {
    flow = await WorkflowEngine.create();
    const inc = flow.functionTask((x: number) => x + 1);
    let f: TaskFuture<number> = inc(0);
    for (let i = 1; i < 2000; i++) f = inc(f);
    expect(await f).toBe(2000);
    const boom = flow.functionTask(async (): Promise<number> => { throw new Error('root'); });
    let g: TaskFuture<number> = inc(boom());
    for (let i = 1; i < 20000; i++) g = inc(g);
    await expect(g).rejects.toBeInstanceOf(DependencyFailureError);
  });

  test('a failing future nobody awaits makes no unhandled rejection; an awaited one rejects', async () => {
    flow = await WorkflowEngine.create();
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const boom = flow.functionTask(async () => { throw new Error('ignored'); });
      const f = boom();
      const dependent = flow.functionTask((x: unknown) => x)(f);
      await new Promise((r) => setTimeout(r, 50));
      expect(f.state).toBe('FAILED');
      expect(dependent.state).toBe('FAILED');
      await expect(boom()).rejects.toThrow('ignored');
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
