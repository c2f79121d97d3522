// Cancel, external scancel and their effect on squeue, against the real SLURM. Holds at most one CPU at a time.
import { describe, expect, test } from '@jest/globals';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TaskCancelledError, WorkerCrashError } from '../../../extension/engine/errors';
import { exec, fn, pidAlive, slurmBackends, squeue, startHooks, until } from './helpers';

/** A cancelled task rejects with TaskCancelledError naming it (it was a bare Error('cancelled')). */
function expectCancelled(err: unknown): void {
  expect(err).toBeInstanceOf(TaskCancelledError);
  expect((err as Error).message).toMatch(/^task '.+' was cancelled$/);
}

const make = slurmBackends({ slots: 1 });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-slurm-cancel-'));
/** A command that records "<pid> <job> <step>" and then sleeps, so a test can find it in squeue and ps. */
const sleeper = (tag: string) => exec(`echo "$$ $SLURM_JOB_ID $SLURM_STEP_ID" > ${dir}/${tag}; exec sleep 120`);
const ids = async (tag: string) => {
  await until(`${tag} to record its ids`, () => fs.existsSync(`${dir}/${tag}`) && fs.readFileSync(`${dir}/${tag}`, 'utf8').endsWith('\n'));
  const [pid, job, step] = fs.readFileSync(`${dir}/${tag}`, 'utf8').trim().split(' ');
  return { pid: Number(pid), job, step };
};
const inQueue = (job: string) => squeue().some((l) => l.startsWith(`${job} `));
const stepInQueue = (step: string) => squeue(true).some((l) => l.startsWith(`${step} `));


describe('SLURM backend: cancel', () => {
  test('pilot: cancel kills that task only; a queued task never starts; the pilot keeps serving', async () => {
    const b = await make();
    const t1 = sleeper('p1');
    const queued = startHooks();
    const r1 = b.submit(t1, startHooks()).catch((e) => e);
    const t2 = exec('echo should-not-run');
    const r2 = b.submit(t2, queued).catch((e) => e); // one slot: waits behind t1
    const { pid, job } = await ids('p1');
    expect(await b.cancel(t2.id)).toBe(true);
    expect(await b.cancel(t1.id)).toBe(true);
    expectCancelled(await r1);
    expectCancelled(await r2);
    expect(queued.count).toBe(0);
    await until('the cancelled command to die', () => !pidAlive(pid));
    expect(inQueue(job)).toBe(true); // only the task went, not the pilot
    expect(await b.submit(exec('echo still-here'), startHooks())).toBe('still-here');
    expect(await b.cancel(t1.id)).toBe(false); // finished ids are unknown
  });

  test('pilot: cancelling a busy function kills its worker; the next function runs', async () => {
    const b = await make();
    const h = startHooks();
    const spin = fn(() => { for (;;); });
    const r = b.submit(spin, h).catch((e) => e);
    await h.startedP;
    expect(await b.cancel(spin.id)).toBe(true);
    expectCancelled(await r);
    expect(await b.submit(fn((a: number) => a + 1, [1]), startHooks())).toBe(2);
  });

  test('a task with SLURM options runs as its own step; cancel scancels exactly that step', async () => {
    const b = await make();
    const t = sleeper('s1');
    t.taskDescription = { slurm: ['--comment=fbstep'] };
    const r = b.submit(t, startHooks()).catch((e) => e);
    const { job, step } = await ids('s1');
    expect(stepInQueue(`${job}.${step}`)).toBe(true);
    expect(await b.cancel(t.id)).toBe(true);
    expectCancelled(await r);
    await until(`step ${job}.${step} to leave squeue`, () => !stepInQueue(`${job}.${step}`));
    expect(inQueue(job)).toBe(true); // the pilot job itself stays
  });

  test('srun mode: cancel scancels that job', async () => {
    const b = await make({ mode: 'srun' });
    const t = sleeper('j1');
    const r = b.submit(t, startHooks()).catch((e) => e);
    const { job } = await ids('j1');
    expect(await b.cancel(t.id)).toBe(true);
    expectCancelled(await r);
    await until(`job ${job} to leave squeue`, () => !inQueue(job));
  });
});

describe('SLURM backend: scancel from outside', () => {
  test('pilot job scancelled: its task fails with SLURM\'s reason, the next task gets a new pilot', async () => {
    const b = await make();
    const r = b.submit(sleeper('x1'), startHooks()).catch((e) => e);
    const { job } = await ids('x1');
    execFileSync('scancel', [job]);
    const err = await r;
    expect(err).toBeInstanceOf(WorkerCrashError);
    expect(err.message).toMatch(new RegExp(`SLURM job ${job} ended before the task finished: .*CANCELLED`));
    const next = String(await b.submit(exec('echo $SLURM_JOB_ID'), startHooks()));
    expect(next).not.toBe(job);
  });

  test('srun mode job scancelled: the task fails with SLURM\'s reason, others continue', async () => {
    const b = await make({ mode: 'srun' });
    const r = b.submit(sleeper('x2'), startHooks()).catch((e) => e);
    const { job } = await ids('x2');
    execFileSync('scancel', [job]);
    const err = await r;
    expect(err).toBeInstanceOf(WorkerCrashError);
    expect(err.message).toMatch(new RegExp(`SLURM job ${job} ended before the task finished: .*CANCELLED`));
    expect(await b.submit(exec('echo ok'), startHooks())).toBe('ok');
  });
});

describe('SLURM backend: pilot job still pending', () => {
  test('a task cancelled while its pilot waits for resources never starts; shutdown removes the pending job', async () => {
    // Hold every CPU of every node so that the pilot job has to pend.
    const [nodes, cpus] = execFileSync('sinfo', ['-h', '-p', 'debug', '-o', '%D %c'], { encoding: 'utf8' }).trim().split(' ');
    const hog = spawn('srun', ['-p', 'debug', `-N${nodes}`, '--ntasks-per-node=1', `-c${cpus}`, '-J', `fbhog${process.pid}`, 'sleep', '120'], { stdio: 'ignore' });
    try {
      await until('the CPU hog to run', () => squeue().some((l) => l.includes(`fbhog${process.pid} RUNNING`)));
      const b = await make();
      const hooks = startHooks();
      const t = exec('echo never');
      const r = b.submit(t, hooks).catch((e) => e);
      await until('the pilot job to pend', () => squeue().some((l) => /flowbook-\d+-\d+ PENDING/.test(l)));
      expect(await b.cancel(t.id)).toBe(true);
      expectCancelled(await r);
      await b.shutdown(); // the pilot job is still pending: it has no id yet, shutdown must scancel it by name
      expect(squeue().filter((l) => l.includes(`flowbook-${process.pid}-`))).toEqual([]);
      expect(hooks.count).toBe(0);
    } finally {
      hog.kill('SIGKILL');
      execFileSync('scancel', ['--name', `fbhog${process.pid}`]);
    }
  });
});
