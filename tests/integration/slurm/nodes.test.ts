// Several nodes (issue 16.4) on the multi-slurmd test cluster (scripts/slurm/start.sh: node1, node2).
import { afterEach, beforeAll, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { SlurmExecutionBackend } from '../../../extension/backends/slurm';
import { exec, requireSlurm, startHooks } from './helpers';

let backend: SlurmExecutionBackend | undefined;
beforeAll(requireSlurm);
afterEach(async () => {
  await backend?.shutdown();
  backend = undefined;
});

test('tasks spread over pilots on both nodes; cpusPerTask sets the slots of each pilot', async () => {
  const nodes = Number(execFileSync('sinfo', ['-h', '-p', 'debug', '-o', '%D'], { encoding: 'utf8' }).trim());
  expect(nodes).toBeGreaterThanOrEqual(2); // start.sh brings up two slurmd; a single node cannot show the spread
  const cpus = Number(execFileSync('sinfo', ['-h', '-p', 'debug', '-o', '%c'], { encoding: 'utf8' }).trim());
  const b = (backend = new SlurmExecutionBackend({ partition: 'debug', nodes: 2, cpusPerTask: cpus }));
  await b.init();
  // One slot per pilot (all the node's CPUs per task): two tasks at once need two pilots, on two nodes.
  const t0 = performance.now();
  const where = await Promise.all([1, 2, 3, 4].map(() => b.submit(exec('sleep 2; echo "$SLURMD_NODENAME $SLURM_CPUS_PER_TASK"'), startHooks())));
  const seen = new Set(where.map((w) => String(w).split(' ')[0]));
  expect(seen.size).toBe(2);
  expect(where.every((w) => String(w).endsWith(` ${cpus}`))).toBe(true);
  expect((b as any).pool.pilots.every((p: { slots: number }) => p.slots === 1)).toBe(true);
  expect(performance.now() - t0).toBeGreaterThan(4000); // 4 tasks of 2 s, two at a time: never more at once
}, 120000);

test('a node drained mid-run: its running task finishes, the other node is untouched, new pilots avoid it', async () => {
  const cpus = Number(execFileSync('sinfo', ['-h', '-p', 'debug', '-o', '%c'], { encoding: 'utf8' }).trim());
  const b = (backend = new SlurmExecutionBackend({ partition: 'debug', nodes: 2, cpusPerTask: cpus, idleTimeout: 1 }));
  await b.init();
  const runs = [1, 2].map(() => b.submit(exec('sleep 4; echo $SLURMD_NODENAME'), startHooks()));
  const until2 = async () => {
    for (let i = 0; i < 100 && (b as any).pool.pilots.filter((p: { running: boolean }) => p.running).length < 2; i++) await new Promise((r) => setTimeout(r, 100));
  };
  await until2();
  execFileSync('scontrol', ['update', 'nodename=node2', 'state=drain', 'reason=flowbook-test']);
  try {
    const where = (await Promise.all(runs)).map(String).sort();
    expect(where).toEqual(['node1', 'node2']); // drain stops new work only: both tasks completed
    // Let both idle pilots end, then new work must land on node1 only.
    for (let i = 0; i < 100 && (b as any).pool.pilots.length; i++) await new Promise((r) => setTimeout(r, 100));
    const after = await Promise.all([1, 2].map(() => b.submit(exec('echo $SLURMD_NODENAME'), startHooks())));
    expect(new Set(after.map(String))).toEqual(new Set(['node1']));
  } finally {
    execFileSync('scontrol', ['update', 'nodename=node2', 'state=resume']);
  }
}, 120000);
