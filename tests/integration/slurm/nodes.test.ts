// Several nodes (issue 16.4) on the multi-slurmd test cluster (scripts/slurm/start.sh: node1, node2).
import { expect, test } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SlurmJobEndedError, type SlurmExecutionBackend } from '../../../extension/backends/slurm';
import { exec, nodeCpus, pidAlive, slurmBackends, squeue, startHooks, until } from './helpers';

const make = slurmBackends();
const pilots = (b: SlurmExecutionBackend) => (b as any).pool.pilots as { running: boolean; slots: number; name: string }[];

test('tasks spread over pilots on both nodes; cpusPerTask sets the slots of each pilot', async () => {
  const nodes = Number(execFileSync('sinfo', ['-h', '-p', 'debug', '-o', '%D'], { encoding: 'utf8' }).trim());
  expect(nodes).toBeGreaterThanOrEqual(2); // start.sh brings up two slurmd; a single node cannot show the spread
  const cpus = nodeCpus();
  const b = await make({ nodes: 2, cpusPerTask: cpus });
  // One slot per pilot (all the node's CPUs per task): two tasks at once need two pilots, on two nodes.
  const t0 = performance.now();
  const where = await Promise.all([1, 2, 3, 4].map(() => b.submit(exec('sleep 2; echo "$SLURMD_NODENAME $SLURM_CPUS_PER_TASK"'), startHooks())));
  const seen = new Set(where.map((w) => String(w).split(' ')[0]));
  expect(seen.size).toBe(2);
  expect(where.every((w) => String(w).endsWith(` ${cpus}`))).toBe(true);
  expect(pilots(b).every((p) => p.slots === 1)).toBe(true);
  expect(performance.now() - t0).toBeGreaterThan(4000); // 4 tasks of 2 s, two at a time: never more at once
}, 120000);

test('a node drained mid-run: its running task finishes, the other node is untouched, new pilots avoid it', async () => {
  const b = await make({ nodes: 2, cpusPerTask: nodeCpus(), idleTimeout: 1 });
  const runs = [1, 2].map(() => b.submit(exec('sleep 4; echo $SLURMD_NODENAME'), startHooks()));
  await until('a pilot on each node', () => pilots(b).filter((p) => p.running).length >= 2, 10000);
  execFileSync('scontrol', ['update', 'nodename=node2', 'state=drain', 'reason=flowbook-test']);
  try {
    const where = (await Promise.all(runs)).map(String).sort();
    expect(where).toEqual(['node1', 'node2']); // drain stops new work only: both tasks completed
    // Let both idle pilots end, then new work must land on node1 only.
    await until('the idle pilots to end', () => pilots(b).length === 0, 10000);
    const after = await Promise.all([1, 2].map(() => b.submit(exec('echo $SLURMD_NODENAME'), startHooks())));
    expect(new Set(after.map(String))).toEqual(new Set(['node1']));
  } finally {
    execFileSync('scontrol', ['update', 'nodename=node2', 'state=resume']);
  }
}, 120000);

/** node2's slurmd as start.sh starts it (`slurmd -N node2`), found by its exact command line. */
const slurmdPid = (node: string): number | undefined => {
  const r = spawnSync('pgrep', ['-xf', `/usr/sbin/slurmd -N ${node}`], { encoding: 'utf8' });
  return r.status === 0 ? Number(r.stdout.trim().split('\n')[0]) : undefined;
};
const nodeState = (node: string) => execFileSync('sinfo', ['-h', '-n', node, '-o', '%T'], { encoding: 'utf8' }).trim();

/** Starts node2's slurmd again as start.sh does and waits until SLURM takes the node back, for later tests. */
async function restoreSlurmd(node: string): Promise<void> {
  if (slurmdPid(node) === undefined) execFileSync('/usr/sbin/slurmd', ['-N', node]);
  await until(`${node}'s slurmd to register`, () => !/\*$/.test(nodeState(node)), 60000); // '*': not responding
  if (/down|drain|fail/.test(nodeState(node))) execFileSync('scontrol', ['update', `nodename=${node}`, 'state=resume']);
  await until(`${node} to be back in service`, () => /^(idle|mixed|allocated)$/.test(nodeState(node)), 60000);
}

test("a node's slurmd killed mid-run: only the task on it fails, with SLURM's reason; the other node keeps serving", async () => {
  const b = await make({ nodes: 2, cpusPerTask: nodeCpus(), idleTimeout: 0 });
  const names = () => pilots(b).map((p) => p.name);
  const seenNames = new Set<string>();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-slurm-nodes-'));
  // Each task writes its node, then holds its pilot until its own go file appears (the one on node2 never gets it).
  const hold = (i: number) => exec(`echo "$SLURMD_NODENAME $$" > ${dir}/on-${i}; while [ ! -e ${dir}/go-${i} ]; do sleep 0.2; done; echo $SLURMD_NODENAME`);
  const runs = [0, 1].map((i) => b.submit(hold(i), startHooks()).then(String, (e: Error) => e));
  const on = (i: number) => (fs.existsSync(`${dir}/on-${i}`) ? fs.readFileSync(`${dir}/on-${i}`, 'utf8') : '');
  await until('a task on each node', () => on(0).endsWith('\n') && on(1).endsWith('\n'), 60000);
  const where = [0, 1].map((i) => on(i).split(' ')[0]);
  expect([...where].sort()).toEqual(['node1', 'node2']);
  const lost = where.indexOf('node2');
  const kept = 1 - lost;
  names().forEach((n) => seenNames.add(n));
  const pid = slurmdPid('node2');
  expect(pid).toBeDefined();
  process.kill(pid!, 'SIGKILL');
  try {
    fs.writeFileSync(`${dir}/go-${kept}`, '');
    expect(await runs[kept]).toBe('node1');
    // node1 keeps taking work while node2 does not answer.
    const more = await Promise.all([1, 2, 3].map(() => b.submit(exec('echo $SLURMD_NODENAME'), startHooks())));
    expect(more.map(String)).toEqual(['node1', 'node1', 'node1']);
    // slurmctld declares node2 down after SlurmdTimeout (30 s in start.sh) and ends the job on it.
    const err = await runs[lost];
    expect(err).toBeInstanceOf(SlurmJobEndedError);
    expect((err as SlurmJobEndedError).reason).toMatch(/NODE_FAIL/);
    expect((err as Error).message).toMatch(/^SLURM job \d+ ended before the task finished: .*NODE_FAIL/);
    // Its command does not run on: the pilot's agent on node2 killed it when the kernel let the pilot go.
    await until('the task on node2 to die', () => !pidAlive(Number(on(lost).split(' ')[1])), 10000);
    names().forEach((n) => seenNames.add(n));
    await b.shutdown();
    expect(squeue().filter((l) => [...seenNames].some((n) => l.includes(` ${n} `)))).toEqual([]);
  } finally {
    await restoreSlurmd('node2');
  }
}, 150000);
