// The 'srun' (a job per task) and 'sbatch' modes: same results and errors as the pilot, real SLURM.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SlurmExecutionBackend } from '../../../extension/backends/slurm';
import { ExecutableError, WorkerCrashError } from '../../../extension/engine/errors';
import { exec, fn, requireSlurm, squeue, startHooks } from './helpers';

const srun = new SlurmExecutionBackend({ partition: 'debug', mode: 'srun' });
const sbatch = new SlurmExecutionBackend({ partition: 'debug', mode: 'sbatch' });
beforeAll(requireSlurm);
afterAll(async () => {
  await srun.shutdown();
  await sbatch.shutdown();
});

describe.each([['srun', srun], ['sbatch', sbatch]])('%s mode', (mode, backend) => {
  test('executable: result, cwd, env, own job; nonzero exit with code and stderr', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `fb-slurm-${mode}-`));
    const hooks = startHooks();
    const out = String(await backend.submit(exec('echo "$FB_VAR $(pwd) $SLURM_JOB_NAME"', { cwd: dir, env: { FB_VAR: 'v1' }, taskDescription: { slurm: ['--job-name=fbmode'] } }), hooks));
    expect(out.split(' ')).toEqual(['v1', fs.realpathSync(dir), 'fbmode']);
    expect(hooks.count).toBe(1);
    const err: any = await backend.submit(exec('echo bad thing >&2; exit 4'), startHooks()).catch((e) => e);
    // the one class of every backend (the pilot's and the local one's), not an Error with fields
    expect(err).toBeInstanceOf(ExecutableError);
    expect(err.message).toBe("task 'sh' command `echo bad thing >&2; exit 4` exited with code 4: bad thing");
    expect(err.exitCode).toBe(4);
    expect(err.stderr).toBe('bad thing\n');
  });

  test('function task result and error', async () => {
    expect(await backend.submit(fn((a: number[]) => new Set(a).size, [[1, 1, 2]]), startHooks())).toBe(2);
    const err: any = await backend.submit(fn(() => { throw new TypeError('bad type'); }), startHooks()).catch((e) => e);
    expect(err.name).toBe('TypeError');
    expect(err.message).toBe('bad type');
  });
});

test('srun mode: a bad srun option fails the task with srun\'s own error', async () => {
  const err: any = await srun.submit(exec('true', { taskDescription: { slurm: ['--mem=lots'] } }), startHooks()).catch((e) => e);
  expect(err).toBeInstanceOf(WorkerCrashError);
  expect(err.message).toMatch(/^SLURM job .* ended before the task finished: .*srun: error: .*mem/i);
});

test('pilot mode, nodes: 2: tasks go to the pilots that run; shutdown also removes one still pending', async () => {
  // Whether the second pilot fits next to the first depends on what else holds CPUs: both cases must work.
  const b = new SlurmExecutionBackend({ partition: 'debug', nodes: 2, slots: 1 });
  await b.init();
  const out = await Promise.all(Array.from({ length: 6 }, () => b.submit(exec('echo $SLURM_JOB_ID'), startHooks())));
  const jobs = new Set(out.map(String));
  expect(jobs.size === 1 || jobs.size === 2).toBe(true);
  await b.shutdown();
  expect(squeue().filter((l) => l.includes(`flowbook-${process.pid}-`))).toEqual([]);
});
