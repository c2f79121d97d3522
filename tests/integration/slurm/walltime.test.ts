// Walltime (issue 16.3) with a one-minute limit on the real SLURM, through the engine: a pilot near its limit
// stops taking tasks and a replacement takes the waiting ones; a task still running at the limit fails with
// SLURM's reason, and runs again on a replacement pilot only when its `retries` allow. One scenario, so the
// file costs one pilot lifetime of CI time (about 80 s), not one per case.
import { afterEach, expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SlurmJobEndedError, WorkflowEngine } from '../../../extension';
import { slurmBackends } from './helpers';

const make = slurmBackends();
let flow: WorkflowEngine | undefined;
afterEach(async () => {
  await flow?.shutdown();
  flow = undefined;
});

test('one-minute pilots: waiting tasks move to a replacement; a task killed by the limit fails with TIMEOUT, or runs again when retries allow', async () => {
  // Three one-slot pilots: one per long task, one for the short ones; their replacements take what is left.
  const f = (flow = await WorkflowEngine.create({ backend: await make({ slots: 1, maxPilots: 3, timeLimit: 1, idleTimeout: 0 }) }));
  const marker = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fb-slurm-walltime-')), 'first-job');
  const noRetry = f.executableTask(() => 'sleep 100', { name: 'no-retry', retries: 0 })();
  // The first attempt records its job and sleeps into the limit; a second attempt finds the marker and ends.
  const retried = f.executableTask(() => `if [ -e ${marker} ]; then echo "$SLURM_JOB_ID"; else echo "$SLURM_JOB_ID" > ${marker}; exec sleep 100; fi`,
    { name: 'retried', retries: 1 })();
  const failed = noRetry.then(() => undefined, (e: Error) => e);
  await new Promise((r) => setTimeout(r, 2000));
  const t0 = Date.now();
  const short = f.executableTask(() => 'sleep 3; echo $SLURM_JOB_ID', { name: 'short' });
  const jobs = (await Promise.all(Array.from({ length: 24 }, () => short()))).map(String);
  // 24 x 3 s on one slot at a time is longer than one pilot's minute: more than one pilot served them.
  expect(new Set(jobs).size).toBeGreaterThanOrEqual(2);
  expect(Date.now() - t0).toBeGreaterThan(60000 - 30000);

  const err = await failed;
  expect(err).toBeInstanceOf(SlurmJobEndedError);
  expect(String(err?.message)).toMatch(/ended before the task finished: .*(TIMEOUT|TIME LIMIT)/);
  expect(noRetry.attempt).toBe(1);

  const secondJob = await retried;
  const firstJob = fs.readFileSync(marker, 'utf8').trim();
  expect(retried.attempt).toBe(2);
  expect(retried.attempts[0].error).toMatch(/ended before the task finished: .*(TIMEOUT|TIME LIMIT)/);
  expect(secondJob).toMatch(/^\d+$/);
  expect(secondJob).not.toBe(firstJob); // the second attempt ran in another pilot job: a replacement
}, 240000);
