import { afterEach, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { ConcurrentExecutionBackend, ThreadPoolExecutor, WorkflowEngine } from '../../../extension';
import { UsageError } from '../../../extension/magics';
import type { SlurmExecutionBackend } from '../../../extension/backends/slurm';
import { harness } from './helpers';

let flow: WorkflowEngine;
afterEach(() => flow?.shutdown());

describe('%backend', () => {
  test('threads 2 swaps flow\'s default backend; tasks then run there', async () => {
    flow = await WorkflowEngine.create();
    const h = harness({ flow });
    const before = flow.backend;
    await h.cell('%backend threads 2');
    expect(flow.backend).not.toBe(before);
    expect(flow.backend.name).toBe('threads');
    const exec = (flow.backend as ConcurrentExecutionBackend).executor as ThreadPoolExecutor;
    expect(exec.maxWorkers).toBe(2);
    const v = await h.cell('const sq = flow.functionTask((x: number) => x * x)\nawait sq(7)');
    expect(v).toBe(49);
    expect(h.sink.out).toBe('Backend: threads:2 (was async)\n');
  });

  test('without args shows the current backend with its spec', async () => {
    flow = await WorkflowEngine.create();
    const h = harness({ flow });
    await h.cell('%backend');
    await h.cell('%backend processes:1');
    h.sink.calls = [];
    await h.cell('%backend');
    expect(h.sink.out).toBe('Current backend: processes (processes:1)\n');
  });

  test('aliases and a named backend object from the scope', async () => {
    flow = await WorkflowEngine.create();
    const mine = new ConcurrentExecutionBackend();
    const h = harness({ flow, mine });
    await h.cell('%backend threads');
    await h.cell('%backend local');
    expect(flow.backend.name).toBe('async');
    await h.cell('%backend mine');
    expect(flow.backend).toBe(mine);
    // Registered under its variable name: switching away does not shut the user's object down.
    await h.cell('%backend concurrent');
    expect(flow.backends.get('mine')).toBe(mine);
    await h.cell('%backend mine');
    expect(await h.cell('await flow.functionTask(() => 5)()')).toBe(5);
  });

  test('bad specs are usage errors and leave the backend alone', async () => {
    flow = await WorkflowEngine.create();
    const h = harness({ flow, notABackend: 3 });
    const before = flow.backend;
    await expect(h.cell('%backend gpu')).rejects.toThrow(/unknown backend 'gpu'/);
    await expect(h.cell('%backend notABackend')).rejects.toThrow(/not a Backend/);
    await expect(h.cell('%backend threads zero')).rejects.toThrow(UsageError);
    await expect(h.cell('%backend async 3')).rejects.toThrow(/takes no parameter/);
    expect(() => h.magics.transform('%backend a b c')).toThrow(/expected 0 to 2 arguments/);
    expect(flow.backend).toBe(before);
  });

  test('without a flow in scope: a clear usage error', async () => {
    const h = harness({});
    await expect(h.cell('%backend threads')).rejects.toThrow(/no workflow engine in scope/);
  });

  // Needs a reachable slurmctld (the project's single-node cluster); starts no job, init only queries sinfo.
  const hasSlurm = spawnSync('sinfo', ['-h'], { timeout: 5000 }).status === 0;
  (hasSlurm ? test : test.skip)('slurm debug installs a SlurmExecutionBackend on that partition', async () => {
    flow = await WorkflowEngine.create();
    const h = harness({ flow });
    await h.cell('%backend slurm debug');
    expect(flow.backend.name).toBe('slurm');
    expect((flow.backend as SlurmExecutionBackend).options.partition).toBe('debug');
    await h.cell('%backend async');
    expect(flow.backend.name).toBe('async');
  });
});
