// The same workflow API on SLURM: WorkflowEngine.create({ backend: new SlurmExecutionBackend(...) }).
import { afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SlurmExecutionBackend, TaskCancelledError, TaskTimeoutError, WorkflowEngine, type TaskEvent } from '../../../extension';
import { pidAlive, requireSlurm, squeue, until } from './helpers';

let flow: WorkflowEngine | undefined;
const create = async () => (flow = await WorkflowEngine.create({ backend: new SlurmExecutionBackend({ partition: 'debug', slots: 1 }) }));
beforeAll(requireSlurm);
afterEach(async () => {
  await flow?.shutdown();
  flow = undefined;
});

describe('WorkflowEngine on SLURM', () => {
  test('function and executable tasks with dependencies; events come from the slurm backend', async () => {
    const f = await create();
    const events: TaskEvent[] = [];
    f.on('task', (e) => events.push(e));
    const square = f.functionTask((x: number) => x * x, { name: 'square' });
    const add = f.functionTask((a: number, b: number) => a + b, { name: 'add' });
    const echo = f.executableTask((v: number) => `echo "sum=${v} on $SLURM_JOB_ID"`, { name: 'echo' });
    const out = await echo(add(square(3), square(4)));
    expect(out).toMatch(/^sum=25 on \d+$/);
    const running = events.filter((e) => e.state === 'RUNNING');
    expect(running.map((e) => e.name).sort()).toEqual(['add', 'echo', 'square', 'square']);
    expect(new Set(events.map((e) => e.backend))).toEqual(new Set(['slurm']));
  });

  test('future.cancel() on a running task with SLURM options scancels its step', async () => {
    const f = await create();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-slurm-engine-'));
    const sleeper = f.executableTask(() => `echo "$$ $SLURM_JOB_ID.$SLURM_STEP_ID" > ${dir}/ids; exec sleep 120`, {
      name: 'sleeper',
      taskDescription: { slurm: ['--job-name=fbengine'] },
    });
    const fut = sleeper();
    await until('the step to record its ids', () => fs.existsSync(`${dir}/ids`) && fs.readFileSync(`${dir}/ids`, 'utf8').endsWith('\n'));
    const [pid, step] = fs.readFileSync(`${dir}/ids`, 'utf8').trim().split(' ');
    expect(fut.cancel()).toBe(true);
    await expect(fut).rejects.toBeInstanceOf(TaskCancelledError);
    await until(`step ${step} to leave squeue`, () => !squeue(true).some((l) => l.startsWith(`${step} `)));
    await until('the command to die', () => !pidAlive(Number(pid)));
  });

  test('timeoutMs cancels the task in the pilot', async () => {
    const f = await create();
    const slow = f.executableTask(() => 'sleep 60', { name: 'slow', timeoutMs: 500 });
    await expect(slow()).rejects.toBeInstanceOf(TaskTimeoutError);
    expect(await f.executableTask(() => 'echo next')()).toBe('next');
  });

  test('create() fails at once for an unknown partition', async () => {
    await expect(WorkflowEngine.create({ backend: new SlurmExecutionBackend({ partition: 'nope' }) })).rejects.toThrow(/unknown partition 'nope'/);
  });
});
