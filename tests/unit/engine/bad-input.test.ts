import { afterEach, describe, expect, test } from '@jest/globals';
import {
  ArgumentCloneError, ConcurrentExecutionBackend, DependencyFailureError, EngineShutdownError, InvalidTaskError,
  ExecutableError, ThreadPoolExecutor, WorkflowEngine,
} from '../../../extension';
import { childPids } from '../../support/procs';

let flow: WorkflowEngine;
afterEach(() => flow?.shutdown());

describe('bad input: a clear error naming the task, the engine keeps working', () => {
  test('a non-function passed to a decorator', async () => {
    flow = await WorkflowEngine.create();
    expect(() => flow.functionTask(42 as any, { name: 'answer' })).toThrow(InvalidTaskError);
    expect(() => flow.functionTask(42 as any, { name: 'answer' })).toThrow("task 'answer': functionTask() expects a function, got number");
    expect(() => flow.executableTask('ls' as any)).toThrow(/executableTask\(\) expects a function, got string/);
    expect(() => flow.block(null as any, { name: 'b' })).toThrow(/task 'b': block\(\) expects a function, got null/);
    expect(await flow.functionTask(() => 'still fine')()).toBe('still fine');
  });

  test('a task called after shutdown', async () => {
    flow = await WorkflowEngine.create();
    const late = flow.functionTask(() => 1, { name: 'late' });
    await flow.shutdown();
    expect(() => late()).toThrow(EngineShutdownError);
    expect(() => late()).toThrow(/task 'late'/);
  });

  test("a non-string returned by an executable's function", async () => {
    flow = await WorkflowEngine.create();
    const bad = flow.executableTask((() => 42) as any, { name: 'numbers' });
    await expect(bad()).rejects.toThrow("task 'numbers': an executable task's function must return a shell command string or an argv array of strings, got number");
    const throws = flow.executableTask((): string => { throw new Error('no command'); });
    await expect(throws()).rejects.toThrow('no command');
    expect(await flow.executableTask(() => 'echo ok')()).toBe('ok');
  });

  test('a nonzero exit rejects with exit code and stderr', async () => {
    flow = await WorkflowEngine.create();
    const fail = flow.executableTask(() => 'echo oops >&2; exit 3', { name: 'fail' });
    const err = (await fail().then(() => null, (e) => e)) as ExecutableError;
    expect(err).toBeInstanceOf(ExecutableError);
    expect(err.exitCode).toBe(3);
    expect(err.stderr.trim()).toBe('oops');
    expect(err.message).toContain("task 'fail'");
  });

  test('an argument that cannot be cloned for a worker', async () => {
    flow = await WorkflowEngine.create({ backend: new ConcurrentExecutionBackend(new ThreadPoolExecutor({ maxWorkers: 1 })) });
    const apply = flow.functionTask((f: unknown) => typeof f, { name: 'apply' });
    await expect(apply(() => 1)).rejects.toThrow(ArgumentCloneError);
    await expect(apply({ cb: () => 1 })).rejects.toThrow(/task 'apply': argument 1 cannot be sent to a worker/);
    expect(await apply(1)).toBe('number');
  });

  test('a rejected dependency', async () => {
    flow = await WorkflowEngine.create();
    const boom = flow.functionTask(async () => { throw new Error('upstream'); }, { name: 'boom' });
    const use = flow.functionTask((x: unknown) => x, { name: 'use' });
    await expect(use(boom())).rejects.toThrow(DependencyFailureError);
    await expect(use(boom())).rejects.toThrow(/task 'use' cannot run: its dependency 'boom'.*upstream/);
  });

  test('no child process is left behind after all that', async () => {
    flow = await WorkflowEngine.create({ backend: new ConcurrentExecutionBackend(new ThreadPoolExecutor({ maxWorkers: 1 })) });
    const before = new Set(childPids());
    const sh = flow.executableTask(() => 'sleep 2');
    sh(); sh();
    await new Promise((r) => setTimeout(r, 50));
    await flow.shutdown();
    expect(childPids().filter((p) => !before.has(p))).toEqual([]);
  });
});
