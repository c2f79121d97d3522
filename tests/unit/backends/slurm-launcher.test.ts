// The SLURM backend's parts that need no cluster (extension/backends/slurm/launcher.ts): the mode picks its
// launcher once, in the constructor; bad tasks, cancel and shutdown before init run no SLURM command. PATH
// points nowhere here, so a SLURM command would fail with "'sinfo' is not installed" instead.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { TaskSpec } from '../../../extension/backends/backend';
import { SlurmExecutionBackend, type SlurmMode } from '../../../extension/backends/slurm';
import { PilotLauncher } from '../../../extension/backends/slurm/launch-pilot';
import { SbatchLauncher } from '../../../extension/backends/slurm/launch-sbatch';
import { SrunLauncher } from '../../../extension/backends/slurm/launch-srun';
import { InvalidTaskError, TaskCancelledError } from '../../../extension/engine/errors';

const savedPath = process.env.PATH;
beforeAll(() => {
  process.env.PATH = '/nonexistent';
});
afterAll(() => {
  process.env.PATH = savedPath;
});

const launcher = (b: SlurmExecutionBackend) => (b as any).launcher;
const task = (extra: Partial<TaskSpec>): TaskSpec => ({ id: 't1', name: 't', kind: 'executable', args: [], attempt: 1, ...extra });

test.each([
  [undefined, PilotLauncher],
  ['pilot', PilotLauncher],
  ['srun', SrunLauncher],
  ['sbatch', SbatchLauncher],
] as const)('mode %s: %p, chosen in the constructor', (mode, Launcher) => {
  const b = new SlurmExecutionBackend(mode ? { mode } : {});
  expect(launcher(b)).toBeInstanceOf(Launcher);
  expect(launcher(b).mode).toBe(mode ?? 'pilot');
  expect(b.mode).toBe(mode ?? 'pilot');
});

describe.each(['pilot', 'srun', 'sbatch'] as SlurmMode[])('%s mode, before init', (mode) => {
  test('a bad task fails before any SLURM command', async () => {
    const b = new SlurmExecutionBackend({ mode });
    const err: any = await b.submit(task({}), { started() {} }).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidTaskError);
    expect(err.message).toBe("task 't': executable task without a command");
    const fnErr: any = await b.submit(task({ kind: 'function' }), { started() {} }).catch((e) => e);
    expect(fnErr.message).toBe("task 't': function task without a function");
  });

  test('cancel of an unknown id is false; shutdown needs no SLURM; a submit after it is cancelled', async () => {
    const b = new SlurmExecutionBackend({ mode });
    expect(await b.cancel('nope')).toBe(false);
    await b.shutdown();
    await b.shutdown();
    const err: any = await b.submit(task({ command: 'true' }), { started() {} }).catch((e) => e);
    expect(err).toBeInstanceOf(TaskCancelledError);
    expect(err.message).toBe("task 't' was submitted after the SLURM backend shut down");
  });
});

test('describe lines of each mode come from its launcher and its options', () => {
  const pilot = new SlurmExecutionBackend({ minPilots: 1, maxPilots: 3, slots: 2, idleTimeout: 0, tls: true, maxMessageMb: 8 });
  expect(launcher(pilot).describe()).toEqual([
    'pilots: 1 to 3, 2 slot(s) each (1 CPU(s) per task), idle timeout none (held), time limit partition default',
    'channel: 127.0.0.1, HMAC-signed frames, TLS-PSK, at most 8 MB per value',
  ]);
  expect(pilot.maxPilots).toBe(3);
  expect(new SlurmExecutionBackend({ nodes: 2 }).maxPilots).toBe(2);
  for (const mode of ['srun', 'sbatch'] as const) {
    const b = new SlurmExecutionBackend({ mode, maxConcurrent: 3, timeLimit: '00:10:00' });
    expect(launcher(b).describe()).toEqual(['at most 3 jobs in flight, time limit 00:10:00']);
  }
});

test('every job is asked for one node and one task, with the partition, account and time limit', () => {
  const b = new SlurmExecutionBackend({ partition: 'debug', account: 'lab', timeLimit: 10, cpusPerTask: 2 });
  const site = (b as any).site;
  expect(site.resourceArgs(site.cpusPerTask)).toEqual([
    '-N1', '-n1', '--cpus-per-task=2', '--partition=debug', '--account=lab', '--time=10',
  ]);
  expect(site.maxFrame).toBeUndefined();
  expect((new SlurmExecutionBackend({ maxMessageMb: 1 }) as any).site.maxFrame).toBe(1048576 + 65536);
});
