// Walltime (issue 16.3) with a one-minute limit on the real SLURM: a pilot near its limit stops taking tasks and
// a replacement takes the waiting ones; a task still running at the limit fails with SLURM's reason.
import { afterEach, beforeAll, expect, test } from '@jest/globals';
import { SlurmExecutionBackend } from '../../../extension/backends/slurm';
import { exec, requireSlurm, startHooks } from './helpers';

let backend: SlurmExecutionBackend | undefined;
beforeAll(requireSlurm);
afterEach(async () => {
  await backend?.shutdown();
  backend = undefined;
});

test('one-minute pilots: waiting tasks move to a replacement, a task running into the limit fails with TIMEOUT', async () => {
  const b = (backend = new SlurmExecutionBackend({ partition: 'debug', slots: 1, maxPilots: 2, timeLimit: 1, idleTimeout: 0 }));
  await b.init();
  const long = b.submit(exec('sleep 100'), startHooks()).catch((e: Error) => e);
  await new Promise((r) => setTimeout(r, 2000));
  const t0 = Date.now();
  const short = Array.from({ length: 24 }, () => b.submit(exec('sleep 3; echo $SLURM_JOB_ID'), startHooks()));
  const jobs = (await Promise.all(short)).map(String);
  const err = await long;
  expect(err).toBeInstanceOf(Error);
  expect(String((err as Error).message)).toMatch(/ended before the task finished: .*(TIMEOUT|TIME LIMIT)/);
  // 24 x 3 s on one slot at a time is longer than one pilot's minute: more than one pilot served them.
  expect(new Set(jobs).size).toBeGreaterThanOrEqual(2);
  expect(Date.now() - t0).toBeGreaterThan(60000 - 30000);
}, 240000);
