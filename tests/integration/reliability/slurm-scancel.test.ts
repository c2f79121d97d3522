// Fault 7 at workflow level: `scancel` of a task's job from outside fails that task with SLURM's reason, its
// dependents with DependencyFailureError, and the rest of the workflow completes. The backend-level cases
// (pilot and srun mode, reason text) are in tests/integration/slurm/cancel.test.ts; this adds what the engine
// does around them: tasks queued behind the cancelled one, dependents, and a clean squeue afterwards.
import { afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { DependencyFailureError, WorkflowEngine } from '../../../extension';
import { SlurmExecutionBackend, type SlurmOptions } from '../../../extension/backends/slurm';
import { requireSlurm, squeue, until } from '../slurm/helpers';
import { tempDir } from './helpers';

let flow: WorkflowEngine | undefined;
beforeAll(requireSlurm);
afterEach(async () => {
  await flow?.shutdown();
  flow = undefined;
});

async function scancelMidWorkflow(opts: SlurmOptions): Promise<void> {
  flow = await WorkflowEngine.create({ backend: new SlurmExecutionBackend({ partition: 'debug', ...opts }) });
  const dir = tempDir('scancel');
  const victim = flow.executableTask(() => `echo $SLURM_JOB_ID > ${dir}/job; exec sleep 120`, { name: 'victim' });
  const echo = flow.executableTask((s: string) => `echo ${s}`, { name: 'echo' });

  const v = victim();
  const dependent = echo(v);
  const others = [echo('a'), echo('b')];
  const after = echo(others[0]);
  await until('the victim to record its job id', () => fs.existsSync(`${dir}/job`) && fs.readFileSync(`${dir}/job`, 'utf8').endsWith('\n'));
  const job = fs.readFileSync(`${dir}/job`, 'utf8').trim();
  execFileSync('scancel', [job]);

  const err = (await v.then(() => null, (e: Error) => e))!;
  expect(err.message).toMatch(new RegExp(`SLURM job ${job} ended before the task finished: .*CANCELLED`));
  await expect(dependent).rejects.toBeInstanceOf(DependencyFailureError);
  expect(await Promise.all([...others, after])).toEqual(['a', 'b', 'a']);
  // A task called after the scancel runs too.
  expect(await echo('later')).toBe('later');
  await flow.shutdown();
  await until(`job ${job} and our other jobs to leave squeue`, () => !squeue().some((l) => l.startsWith(`${job} `)));
}

describe('SLURM: scancel from outside, mid-workflow', () => {
  test('pilot mode, one slot: tasks queued behind the cancelled one still run (on a new pilot)', () =>
    scancelMidWorkflow({ slots: 1 }), 120_000);

  test('srun mode: the other jobs are untouched', () => scancelMidWorkflow({ mode: 'srun' }), 120_000);
});
