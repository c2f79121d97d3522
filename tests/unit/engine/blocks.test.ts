import { afterEach, describe, expect, test } from '@jest/globals';
import { runInGroup, TaskCancelledError, TaskEvent, WorkflowEngine } from '../../../extension';

let flow: WorkflowEngine;
afterEach(() => flow?.shutdown());

describe('blocks', () => {
  test('a block is a composite task, nestable, usable as a dependency; children carry parent', async () => {
    flow = await WorkflowEngine.create();
    const events: TaskEvent[] = [];
    flow.on('task', (e) => events.push(e));
    const double = flow.functionTask(async (x: number) => x * 2, { name: 'double' });
    const inner = flow.block(async (x: number) => (await double(x)) + 1, { name: 'inner' });
    const outer = flow.block(async (x: number) => {
      await new Promise((r) => setTimeout(r, 1));
      return inner(await double(x));
    }, { name: 'outer' });
    const addOne = flow.functionTask((x: number) => x + 1, { name: 'addOne' });
    const o = outer(inner(1)); // inner(1) = 3 → outer: double(3)=6 → inner(6) = 13
    expect(await addOne(o)).toBe(14);
    const blockEvents = events.filter((e) => e.kind === 'block');
    expect(blockEvents.every((e) => e.backend === 'block')).toBe(true);
    const outerId = o.id;
    const innerInOuter = events.find((e) => e.name === 'inner' && e.parent === outerId);
    expect(innerInOuter).toBeDefined();
    const doubleInInner = events.filter((e) => e.name === 'double' && e.parent === innerInOuter!.id);
    expect(doubleInInner.length).toBeGreaterThan(0);
    expect(events.find((e) => e.name === 'addOne')!.parent).toBeUndefined();
    expect(blockEvents.filter((e) => e.id === outerId).map((e) => e.state)).toEqual(['PENDING', 'RUNNING', 'DONE']);
  });

  test('a failing block fails its dependents and cancelling a block cancels its children', async () => {
    flow = await WorkflowEngine.create();
    const sleep = flow.executableTask(() => 'sleep 5', { name: 'sleep' });
    let child: ReturnType<typeof sleep> | undefined;
    const b = flow.block(async () => { child = sleep(); return child; }, { name: 'b' });
    const f = b();
    await new Promise((r) => setTimeout(r, 20));
    expect(child!.parent).toBe(f.id);
    f.cancel();
    await expect(f).rejects.toBeInstanceOf(TaskCancelledError);
    await expect(child!).rejects.toBeInstanceOf(TaskCancelledError);
  });
});

describe('groups', () => {
  test('tasks created in runInGroup carry the group; cancelGroup cancels only that group', async () => {
    flow = await WorkflowEngine.create();
    const events: TaskEvent[] = [];
    flow.on('task', (e) => events.push(e));
    const nap = flow.functionTask(() => new Promise((r) => setTimeout(() => r('woke'), 200)), { name: 'nap' });
    const [a1, a2] = runInGroup('cell-1', () => [nap(), nap()]);
    const b1 = runInGroup('cell-2', () => nap());
    const inBlock = runInGroup('cell-1', () => flow.block(async () => nap(), { name: 'blk' })());
    await new Promise((r) => setTimeout(r, 10));
    expect(flow.cancelGroup('cell-1')).toBeGreaterThanOrEqual(3);
    await expect(a1).rejects.toBeInstanceOf(TaskCancelledError);
    await expect(a2).rejects.toBeInstanceOf(TaskCancelledError);
    await expect(inBlock).rejects.toBeInstanceOf(TaskCancelledError);
    expect(await b1).toBe('woke');
    expect(events.filter((e) => e.id === b1.id).every((e) => e.group === 'cell-2')).toBe(true);
    expect(events.filter((e) => e.name === 'nap' && e.parent === inBlock.id).every((e) => e.group === 'cell-1')).toBe(true);
    expect(flow.tasks.map((t) => t.id)).toEqual(expect.arrayContaining([a1.id, b1.id, inBlock.id]));
  });
});
