// Tasks through the SLURM backend (default pilot mode) against the real SLURM: results, errors, options, shutdown.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SlurmExecutionBackend } from '../../../extension/backends/slurm';
import { exec, fn, pidAlive, requireSlurm, squeue, startHooks, until } from './helpers';

// One slot = one CPU, so this file and cancel.test.ts can hold a pilot each on the 2-CPU node.
const backend = new SlurmExecutionBackend({ partition: 'debug', slots: 1 });

beforeAll(async () => {
  requireSlurm();
  await backend.init();
});
afterAll(() => backend.shutdown());

describe('SLURM backend, pilot mode', () => {
  test('executable: stdout is the result, cwd and env are inherited, start is pushed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-slurm-'));
    const hooks = startHooks();
    const out = await backend.submit(exec('echo "$FB_VAR $(pwd) $SLURM_JOB_ID"', { cwd: dir, env: { FB_VAR: 'hello' } }), hooks);
    const [v, cwd, job] = String(out).split(' ');
    expect(v).toBe('hello');
    expect(fs.realpathSync(cwd)).toBe(fs.realpathSync(dir));
    expect(job).toMatch(/^\d+$/); // it really ran inside a SLURM job
    expect(hooks.count).toBe(1);
  });

  test('a short task reports its start with its end, dated when it began; a longer one reports it while it runs', async () => {
    const times: (number | undefined)[] = [];
    const t0 = performance.now();
    await backend.submit(exec('true', { argv: ['true'] }), { started: (info) => times.push(info?.time) });
    const t1 = performance.now();
    expect(times).toHaveLength(1);
    // The agent holds the start of a task that ends within a few ms (one frame instead of two): the time
    // it gives lies between the submit and the result.
    expect(times[0]).toBeGreaterThanOrEqual(t0);
    expect(times[0]).toBeLessThanOrEqual(t1);
    let ended = false;
    let reported: { at: number; time?: number } | undefined;
    const t2 = performance.now();
    const slow = backend.submit(exec('sleep 1'), { started: (info) => (reported = { at: performance.now(), time: info?.time }) })
      .then(() => (ended = true));
    await until('the start report', () => reported !== undefined, 10000);
    expect(ended).toBe(false);
    // Reported after the hold, dated when it began.
    expect(reported!.time).toBeGreaterThanOrEqual(t2);
    expect(reported!.time).toBeLessThan(reported!.at);
    await slow;
  });

  test('an argv task (exec mode) is spawned by the agent itself, without a shell', async () => {
    expect(await backend.submit(exec('echo', { argv: ['echo', '$HOME;', '*'] }), startHooks())).toBe('$HOME; *');
    // The program's parent is the agent (node), not a bash between them.
    expect(await backend.submit(exec('sh', { argv: ['sh', '-c', 'cat /proc/$PPID/comm'] }), startHooks())).toBe('node');
  });

  test('nonzero exit fails the task with exit code and stderr', async () => {
    const err: any = await backend.submit(exec('echo broken pipe dream >&2; exit 7'), startHooks()).catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/exited with code 7: broken pipe dream/);
    expect(err.exitCode).toBe(7);
    expect(err.stderr).toContain('broken pipe dream');
  });

  test('function task: structured-clone args and result, thrown errors come back', async () => {
    const v = await backend.submit(fn((m: Map<string, number>, k: string) => m.get(k)! * 2, [new Map([['a', 21]]), 'a']), startHooks());
    expect(v).toBe(42);
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'fb-slurm-fn-')));
    expect(await backend.submit(fn(() => process.cwd(), [], { cwd: dir }), startHooks())).toBe(dir);
    const big = await backend.submit(fn(() => ({ d: new Date(0), n: 10n })), startHooks());
    expect(big).toEqual({ d: new Date(0), n: 10n });
    const err: any = await backend.submit(fn(() => { throw new RangeError('nope'); }), startHooks()).catch((e) => e);
    expect(err.name).toBe('RangeError');
    expect(err.message).toBe('nope');
  });

  test('a closure over an outer variable fails with the portableSource error', async () => {
    const outer = 5;
    const err: any = await backend.submit(fn(function addOuter(x: number) { return x + outer; }, [1], { name: 'addOuter' }), startHooks()).catch((e) => e);
    expect(err.name).toBe('ClosureError');
    expect(err.message).toMatch(/^task 'addOuter' uses 'outer' from its enclosing scope; .*pass data as an argument/);
  });

  test('taskDescription.slurm options reach srun (own step, visible in squeue -s)', async () => {
    const name = `fbopt${process.pid}`;
    const hooks = startHooks();
    const p = backend.submit(exec('echo "$SLURM_JOB_NAME $SLURM_STEP_ID"; sleep 2', { taskDescription: { slurm: [`--job-name=${name}`, '--mem=100M'] } }), hooks);
    await hooks.startedP;
    await until('the step to appear in squeue -s', () => squeue(true).some((l) => l.endsWith(` ${name}`)));
    const [jobName, step] = String(await p).split(' ');
    expect(jobName).toBe(name);
    expect(Number(step)).toBeGreaterThan(0); // a step of the pilot's job, not step 0 (the agent)
  });

  test('bad taskDescription.slurm is rejected clearly', async () => {
    const err: any = await backend.submit(exec('true', { taskDescription: { slurm: '--mem=1G' } }), startHooks()).catch((e) => e);
    expect(err.message).toMatch(/taskDescription.slurm must be an array of srun options/);
  });

  test('shutdown leaves no job in squeue and no agent or worker process', async () => {
    const b = new SlurmExecutionBackend({ partition: 'debug', slots: 1 });
    await b.init();
    const pids = (await b.submit(fn(() => [process.pid, process.ppid, Number(process.env.SLURM_JOB_ID)]), startHooks())) as number[];
    const [worker, agent, job] = pids;
    expect(pidAlive(worker) && pidAlive(agent)).toBe(true);
    expect(squeue().some((l) => l.startsWith(`${job} `))).toBe(true);
    const running = b.submit(exec('sleep 60'), startHooks()).catch((e) => e);
    await b.shutdown();
    expect(await running).toBeInstanceOf(Error);
    expect(squeue().filter((l) => l.startsWith(`${job} `))).toEqual([]);
    expect(pidAlive(worker)).toBe(false);
    expect(pidAlive(agent)).toBe(false);
    await b.shutdown(); // idempotent
  });
});
