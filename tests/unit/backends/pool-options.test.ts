// Pool and backend options are checked like piscina's: the error type and the option's name (issue 14 item 7,
// issue 17 item 8: `%backend threads 100000` once took the kernel down).
import { describe, expect, jest, test } from '@jest/globals';
import { ConcurrentExecutionBackend, ProcessPoolExecutor, SlurmExecutionBackend, ThreadPoolExecutor, WorkflowEngine } from '../../../extension';
import { resolveBackend } from '../../../extension/magics/backend-spec';

describe.each([['threads', ThreadPoolExecutor], ['processes', ProcessPoolExecutor]] as const)('%s options', (_kind, Pool) => {
  test.each([
    [{ maxWorkers: 0 }, RangeError, /'maxWorkers' must be between 1 and 1024, got 0/],
    [{ maxWorkers: 100_000 }, RangeError, /'maxWorkers' must be between 1 and 1024, got 100000/],
    [{ maxWorkers: 1e9 }, RangeError, /'maxWorkers'/],
    [{ maxWorkers: 1.5 }, TypeError, /'maxWorkers' must be an integer/],
    [{ maxWorkers: '2' }, TypeError, /'maxWorkers' must be a number, got string/],
    [{ concurrentTasksPerWorker: 0 }, RangeError, /'concurrentTasksPerWorker'/],
    [{ maxHeapMb: 1 }, RangeError, /'maxHeapMb' must be between 16/],
    [{ killGraceMs: -1 }, RangeError, /'killGraceMs'/],
    [{ maxWorker: 2 }, TypeError, /unknown option 'maxWorker'/],
  ])('%j', (opts, Err, message) => {
    expect(() => new Pool(opts as never)).toThrow(Err);
    expect(() => new Pool(opts as never)).toThrow(message);
  });

  test('more than 4 workers per CPU warns (processes 1000 on this machine)', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      new Pool({ maxWorkers: 1000 });
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/1000 workers on \d+ CPUs/));
    } finally {
      warn.mockRestore();
    }
  });
});

describe('SLURM options (checked when the backend is made, before any SLURM command)', () => {
  test.each([
    [{ maxConcurrent: 0 }, RangeError, /option 'maxConcurrent' must be a finite number >= 1, got 0/],
    [{ maxConcurrent: 2.5 }, TypeError, /option 'maxConcurrent' must be an integer/],
    [{ slots: '4' }, TypeError, /option 'slots' must be a number, got string/],
    [{ nodes: Infinity }, TypeError, /option 'nodes' must be an integer/],
    [{ idleTimeout: -1 }, RangeError, /option 'idleTimeout'/],
    [{ cpusPerTask: 0 }, RangeError, /option 'cpusPerTask'/],
    [{ partition: 3 }, TypeError, /option 'partition' must be a non-empty string, got number/],
    [{ tls: 'yes' }, TypeError, /option 'tls' must be a boolean/],
    [{ timeLimit: {} }, TypeError, /option 'timeLimit'/],
    [{ mode: 'ssh' }, RangeError, /SLURM: unknown mode 'ssh' \(pilot, srun or sbatch\)/],
    [{ minPilots: 3, maxPilots: 2 }, RangeError, /minPilots \(3\) is above maxPilots \(2\)/],
    [{ maxConcurent: 2 }, TypeError, /unknown option 'maxConcurent'/],
  ])('%j', (opts, Err, message) => {
    expect(() => new SlurmExecutionBackend(opts as never)).toThrow(Err);
    expect(() => new SlurmExecutionBackend(opts as never)).toThrow(message);
  });

  test('valid options are accepted', () => {
    expect(() => new SlurmExecutionBackend({ partition: 'debug', mode: 'srun', maxConcurrent: 4, timeLimit: '00:10:00', idleTimeout: 0, minPilots: 0 })).not.toThrow();
  });
});

describe('backend and engine options', () => {
  test('ConcurrentExecutionBackend checks maxProcesses and killGraceMs', () => {
    expect(() => new ConcurrentExecutionBackend(undefined, { maxProcesses: 0 })).toThrow(/'maxProcesses' must be between 1/);
    expect(() => new ConcurrentExecutionBackend(undefined, { killGraceMs: 'x' as never })).toThrow(TypeError);
  });

  test('WorkflowEngine.create checks retries, timeoutMs and shutdownGraceMs', async () => {
    await expect(WorkflowEngine.create({ retries: -1 })).rejects.toThrow(/'retries' must be at least 0/);
    await expect(WorkflowEngine.create({ retries: 0.5 })).rejects.toThrow(TypeError);
    await expect(WorkflowEngine.create({ shutdownGraceMs: -5 })).rejects.toThrow(RangeError);
  });

  test('%backend threads 100000 and 1e9 fail with a clear error, before any thread starts', () => {
    expect(() => resolveBackend(['threads', '100000'], {})).toThrow(/'maxWorkers' must be between 1 and 1024, got 100000/);
    expect(() => resolveBackend('threads:1e9', {})).toThrow(/worker count must be a positive integer|'maxWorkers'/);
  });
});
