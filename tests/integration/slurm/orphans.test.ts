// Issue 17.13 on the real SLURM: a cancelled task never starts on the pilot, and the agent's children die
// with it even when it is SIGKILLed (so a retry never runs beside the old attempt).
import { afterEach, beforeAll, expect, test } from '@jest/globals';
import { execSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SlurmExecutionBackend } from '../../../extension/backends/slurm';
import { exec, pidAlive, requireSlurm, startHooks, until } from './helpers';

let backend: SlurmExecutionBackend | undefined;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-slurm-orphans-'));
beforeAll(requireSlurm);
afterEach(async () => {
  await backend?.shutdown();
  backend = undefined;
});

test('a task cancelled while the backend initialises (or waits for its pilot) never starts', async () => {
  const b = (backend = new SlurmExecutionBackend({ partition: 'debug', slots: 1 }));
  const marks = [1, 2, 3].map((i) => path.join(dir, `never-${i}`));
  const tasks = marks.map((m) => exec(`touch ${m}`));
  const hooks = tasks.map(() => startHooks());
  const runs = tasks.map((t, i) => b.submit(t, hooks[i]).catch((e: Error) => e));
  expect(await b.cancel(tasks[0].id)).toBe(true); // still in init()
  await b.init();
  await new Promise((r) => setImmediate(r));
  expect(await b.cancel(tasks[1].id)).toBe(true); // waiting for its pilot
  expect(await b.cancel(tasks[2].id)).toBe(true);
  for (const r of runs) expect(String((await r as Error).message)).toMatch(/cancelled/);
  expect(await b.submit(exec('echo after'), startHooks())).toBe('after');
  for (const m of marks) expect(fs.existsSync(m)).toBe(false);
  expect(hooks.map((h) => h.count)).toEqual([0, 0, 0]);
}, 60000);

test('SIGKILL of the agent: its running command and the grandchildren die with it', async () => {
  const b = (backend = new SlurmExecutionBackend({ partition: 'debug', slots: 1 }));
  await b.init();
  const rec = path.join(dir, 'tree');
  const t = exec(`sleep 300 & echo "$PPID $! $$" > ${rec}; wait`);
  const r = b.submit(t, startHooks()).catch((e: Error) => e);
  await until('the command to record its pids', () => fs.existsSync(rec) && fs.readFileSync(rec, 'utf8').endsWith('\n'));
  const [agentPid, sleepPid, shellPid] = fs.readFileSync(rec, 'utf8').trim().split(' ').map(Number);
  expect(fs.readFileSync(`/proc/${agentPid}/cmdline`, 'utf8')).toMatch(/agent\.js/);
  process.kill(agentPid, 'SIGKILL');
  await until('the command and its child to die', () => !pidAlive(sleepPid) && !pidAlive(shellPid), 10000);
  // What is still there if the task never settles (for the failure message).
  const state = () => JSON.stringify({ squeue: execSync('squeue -h; ps -eo pid,ppid,pgid,stat,args | grep -v grep | grep -E "slurmstepd|awk|agent|srun|sleep"', { encoding: 'utf8' }),
    pilots: (b as any).pool.pilots.map((p: any) => [p.name, p.alive, p.running, p.load, p.srun?.exitCode, p.srun?.signalCode]) });
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise((res) => (timer = setTimeout(() => res(new Error(`still pending: ${state()}`)), 20000)));
  // The timer is cleared: left behind, it fired after jest tore this file down and failed the next suite.
  const err = await Promise.race([r, stuck]).finally(() => clearTimeout(timer));
  expect(err).toBeInstanceOf(Error);
  expect(String((err as Error).message)).toMatch(/SLURM job \d+ ended before the task finished/);
}, 60000);
