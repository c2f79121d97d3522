// shutdown() is bounded: pending tasks are cancelled, running ones get a grace period, then they are stopped
// (issue 14 item 8). Exec mode runs an argv without a shell.
import { describe, expect, test } from '@jest/globals';
import { ExecutableError, TaskCancelledError, WorkflowEngine } from '../../../extension';
import { poolEngine } from '../../support/engines';
import { childPids } from '../../support/procs';

describe('bounded shutdown', () => {
  test('an in-loop task that never settles no longer holds shutdown: it is cancelled after the grace', async () => {
    const flow = await WorkflowEngine.create({ shutdownGraceMs: 100 });
    const never = flow.functionTask(() => new Promise(() => {}), { name: 'never' })();
    await flow.shutdown();
    expect(never.state).toBe('CANCELLED');
    await expect(never).rejects.toBeInstanceOf(TaskCancelledError);
  });

  test('a task that finishes within the grace keeps its result; pending ones are cancelled', async () => {
    const flow = await poolEngine('threads', { maxWorkers: 1 });
    const nap = flow.functionTask(async (ms: number) => { await new Promise((r) => setTimeout(r, ms)); return ms; }, { name: 'nap' });
    const spin = flow.functionTask(() => { for (;;); }, { name: 'spin' });
    const quick = nap(50);
    // Running when the shutdown starts (a loaded machine starts the thread late; then it was cancelled queued).
    for (let i = 0; i < 500 && quick.state !== 'RUNNING'; i++) await new Promise((r) => setTimeout(r, 10));
    const spinner = spin();
    await flow.shutdown({ graceMs: 300 });
    expect(await quick).toBe(50);
    expect(spinner.state).toBe('CANCELLED');
  });

  test('running executables are stopped after the grace; no child is left', async () => {
    const before = new Set(childPids());
    const flow = await WorkflowEngine.create();
    const sleepy = flow.executableTask(() => 'sleep 30', { name: 'sleepy' });
    const fs = [sleepy(), sleepy()];
    await new Promise((r) => setTimeout(r, 100));
    await flow.shutdown({ graceMs: 50 });
    for (const f of fs) expect(f.state).toBe('CANCELLED');
    expect(childPids().filter((p) => !before.has(p))).toEqual([]);
  });
});

describe('exec mode', () => {
  test('an argv array is spawned without a shell: no quoting, no expansion', async () => {
    const flow = await WorkflowEngine.create();
    const echo = flow.executableTask((s: string) => ['echo', s, '$HOME'], { name: 'echo' });
    expect(await echo('a  b; c')).toBe('a  b; c $HOME');
    const missing = flow.executableTask(() => ['/nonexistent/program'], { name: 'missing' });
    const err = await missing().then(() => null, (e) => e);
    expect(err).toBeInstanceOf(ExecutableError);
    expect((err as ExecutableError).command).toBe('/nonexistent/program');
    const bad = flow.executableTask((() => ['echo', 1]) as never, { name: 'bad' });
    await expect(bad()).rejects.toThrow(/argv array of strings, got an array that is not/);
    await flow.shutdown();
  });
});
