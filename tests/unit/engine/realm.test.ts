// The kernel runs user code in a vm context, so tasks, promises and object literals come from another realm.
import { describe, expect, test } from '@jest/globals';
import * as vm from 'node:vm';
import { WorkflowEngine } from '../../../extension/engine/engine';
import type { TaskEvent } from '../../../extension/engine/events';

const ctx = vm.createContext({ setTimeout });
const inRealm = <T>(code: string): T => vm.runInContext(code, ctx) as T;

describe('values from another realm (the kernel vm context)', () => {
  test('an async task from a vm context is DONE only when its promise settles, and dependents wait', async () => {
    const flow = await WorkflowEngine.create();
    const events: TaskEvent[] = [];
    flow.on('task', (e) => events.push(e));
    const slow = flow.functionTask(inRealm<() => Promise<number>>(
      '(async function slow() { await new Promise((r) => setTimeout(r, 30)); return 41; })'));
    const inc = flow.functionTask(inRealm<(x: number) => number>('(function inc(x) { return x + 1; })'));
    await expect(inc(slow())).resolves.toBe(42);
    const order = events.map((e) => `${e.name}:${e.state}`);
    expect(order.indexOf('inc:RUNNING')).toBeGreaterThan(order.indexOf('slow:DONE'));
    await flow.shutdown();
  });

  test('futures inside a vm-realm object literal and array are dependencies', async () => {
    const flow = await WorkflowEngine.create();
    const two = flow.functionTask(async () => 2);
    const sum = flow.functionTask((o: { a: number; b: number[] }) => o.a + o.b[0]);
    const build = inRealm<(a: unknown, b: unknown) => unknown>('(function (a, b) { return { a, b: [b] }; })');
    await expect(sum(build(two(), two()) as { a: number; b: number[] })).resolves.toBe(4);
    await flow.shutdown();
  });

  test('a vm-realm promise passed as an argument is awaited', async () => {
    const flow = await WorkflowEngine.create();
    const id = flow.functionTask((x: string) => x);
    const p = inRealm<Promise<string>>('new Promise((r) => setTimeout(() => r("late"), 10))');
    await expect(id(p)).resolves.toBe('late');
    await flow.shutdown();
  });

  test('an Error thrown in the vm realm is reported by its message', async () => {
    const flow = await WorkflowEngine.create();
    const events: TaskEvent[] = [];
    flow.on('task', (e) => events.push(e));
    const boom = flow.functionTask(inRealm<() => never>('(function boom() { throw new Error("no disk"); })'));
    await expect(boom()).rejects.toThrow('no disk');
    expect(events.find((e) => e.state === 'FAILED')?.error).toBe('no disk');
    await flow.shutdown();
  });
});
