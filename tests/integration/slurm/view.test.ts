// SLURM's view in the notebook (issue 16.6): events carry the job and node of each task and, while the pilot
// pends, SLURM's reason; the live table shows both; %backend's describe() names partition, nodes and limits.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { SlurmExecutionBackend, WorkflowEngine, type TaskEvent } from '../../../extension';
import { renderTable } from '../../../extension/report/table-render';
import { TaskTimeline } from '../../../extension/report/timeline';
import { requireSlurm, squeue, until } from './helpers';

let blocker: string | undefined;
beforeAll(requireSlurm);
afterAll(() => {
  if (blocker) spawnSync('scancel', [blocker]);
});

test('pending reason, then job and node per task, in events and in the live table', async () => {
  const [nodes, cpus] = execFileSync('sinfo', ['-h', '-p', 'debug', '-o', '%D %c'], { encoding: 'utf8' }).trim().split(' ');
  blocker = execFileSync('sbatch', ['--parsable', '-p', 'debug', `-N${nodes}`, '--ntasks-per-node=1', `--cpus-per-task=${cpus}`, '-o', '/dev/null', '--wrap', 'sleep 300'], { encoding: 'utf8' }).trim();
  await until('the blocker to run', () => squeue().some((l) => l.startsWith(`${blocker} `) && l.endsWith('RUNNING')));
  const backend = new SlurmExecutionBackend({ partition: 'debug', slots: 1 });
  const flow = await WorkflowEngine.create({ backend });
  try {
    expect(await backend.describe()).toMatch(/partition debug: \d+ node\(s\) .*CPUs each.*\npilots: 0 to 1, 1 slot\(s\) each.*idle timeout 300 s/);
    const events: TaskEvent[] = [];
    const tl = new TaskTimeline([]);
    flow.on('task', (e) => (events.push(e), tl.listener(e)));
    const t = flow.executableTask(() => 'echo hi', { name: 'hi' });
    const run = t();
    await until('a pending reason', () => events.some((e) => e.state === 'PENDING' && /Reason=/.test(e.detail ?? '')), 20000);
    const pending = events.find((e) => e.detail)!;
    expect(pending.detail).toMatch(/^waiting for a SLURM allocation \(Reason=\w+\)$/);
    expect(renderTable(tl)['text/plain']).toContain('waiting for a SLURM allocation');
    spawnSync('scancel', [blocker]);
    blocker = undefined;
    expect(await run).toBe('hi');
    const running = events.find((e) => e.state === 'RUNNING')!;
    expect(running.detail).toMatch(/^SLURM job \d+ on \S+$/);
    expect(running.slot?.host).toBeTruthy();
    expect(renderTable(tl)['text/plain']).toMatch(/SLURM job \d+ on/);
  } finally {
    await flow.shutdown();
  }
}, 90000);
