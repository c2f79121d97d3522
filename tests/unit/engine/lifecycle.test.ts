import { afterEach, describe, expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  ConcurrentExecutionBackend, EngineShutdownError, TaskCancelledError, TaskEvent, TaskTimeoutError, WorkflowEngine,
} from '../../../extension';
import { childPids, pidAlive, waitFor } from '../../support/procs';

let flow: WorkflowEngine;
afterEach(() => flow?.shutdown());
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'flowbook-engine-'));

describe('states, events, retries', () => {
  test('events come in order with RUNNING, and the future records state, timestamps and attempts', async () => {
    flow = await WorkflowEngine.create();
    const events: TaskEvent[] = [];
    flow.on('task', (e) => events.push(e));
    const t = flow.functionTask(async (x: number) => x, { name: 'one' });
    const f = t(1);
    expect(f.state).toBe('RUNNING');
    await f;
    expect(events.map((e) => e.state)).toEqual(['PENDING', 'RUNNING', 'DONE']);
    expect(events.every((e) => e.id === f.id && e.kind === 'function' && e.backend === 'async')).toBe(true);
    expect(events[0].time).toBeLessThanOrEqual(events[2].time);
    expect(f.state).toBe('DONE');
    expect(f.started! >= f.submitted && f.finished! >= f.started!).toBe(true);
    expect(f.attempts).toEqual([{ attempt: 1, submitted: f.submitted, started: f.started, finished: f.finished, state: 'DONE' }]);
    expect(f.attempt).toBe(1);
  });

  test('an attempt that waited for dependencies records when it was handed to the backend', async () => {
    flow = await WorkflowEngine.create();
    const slow = flow.functionTask(() => new Promise((r) => setTimeout(r, 20)));
    const g = flow.functionTask((x: unknown) => x)(slow());
    expect(g.attempts).toEqual([]);
    await g;
    expect(g.attempts[0].submitted).toBeGreaterThan(g.submitted);
    expect(g.attempts[0].state).toBe('DONE');
  });

  test('off() stops events', async () => {
    flow = await WorkflowEngine.create();
    const seen: string[] = [];
    const l = (e: TaskEvent) => seen.push(e.state);
    flow.on('task', l);
    await flow.functionTask(() => 1)();
    flow.off('task', l);
    await flow.functionTask(() => 1)();
    expect(seen).toEqual(['PENDING', 'RUNNING', 'DONE']);
  });

  test('retries re-run a failing task and record each attempt', async () => {
    flow = await WorkflowEngine.create({ retries: 1 });
    const events: TaskEvent[] = [];
    flow.on('task', (e) => events.push(e));
    let calls = 0;
    const flaky = flow.functionTask(async () => { if (++calls < 3) throw new Error(`fail ${calls}`); return calls; }, { retries: 3, name: 'flaky' });
    const f = flaky();
    expect(await f).toBe(3);
    expect(f.attempts.map((a) => a.state)).toEqual(['FAILED', 'FAILED', 'DONE']);
    expect(f.attempts[0].error).toBe('fail 1');
    expect(events.map((e) => `${e.state}${e.attempt}`)).toEqual(['PENDING1', 'RUNNING1', 'RUNNING2', 'RUNNING3', 'DONE3']);
    const always = flow.functionTask(() => { throw new Error('always'); }); // engine default: 1 retry
    const g = always();
    await expect(g).rejects.toThrow('always');
    expect(g.attempts).toHaveLength(2);
  });

  test('timeoutMs fails the task with TaskTimeoutError and frees its process', async () => {
    flow = await WorkflowEngine.create();
    const dir = tmp();
    const sleeper = flow.executableTask(() => `echo $$ > ${dir}/pid; exec sleep 30`, { timeoutMs: 300, name: 'sleeper' });
    const f = sleeper();
    const err = await f.then(() => null, (e) => e);
    expect(err).toBeInstanceOf(TaskTimeoutError);
    expect((err as Error).message).toContain("task 'sleeper' timed out after 300 ms");
    expect(f.state).toBe('FAILED');
    expect(pidAlive(Number(fs.readFileSync(`${dir}/pid`, 'utf8')))).toBe(false);
  });
});

describe('cancel', () => {
  test('cancel of a running executable kills it (pid gone) and fails its dependents', async () => {
    flow = await WorkflowEngine.create();
    const dir = tmp();
    const run = flow.executableTask(() => `echo $$ > ${dir}/pid; exec sleep 30`, { name: 'run' });
    const after = flow.functionTask((x: string) => x, { name: 'after' });
    const f = run();
    const g = after(f);
    await waitFor(() => fs.existsSync(`${dir}/pid`) && fs.readFileSync(`${dir}/pid`, 'utf8').trim() !== '', 'pid file');
    const pid = Number(fs.readFileSync(`${dir}/pid`, 'utf8'));
    expect(pidAlive(pid)).toBe(true);
    expect(f.cancel()).toBe(true);
    await expect(f).rejects.toBeInstanceOf(TaskCancelledError);
    expect(f.state).toBe('CANCELLED');
    expect(() => process.kill(pid, 0)).toThrow();
    await expect(g).rejects.toThrow(/task 'after' cannot run: its dependency 'run'/);
  });

  test('a child that ignores SIGTERM is killed after the grace period', async () => {
    flow = await WorkflowEngine.create({ backend: new ConcurrentExecutionBackend(undefined, { killGraceMs: 200 }) });
    const dir = tmp();
    const stubborn = flow.executableTask(() => `trap '' TERM; echo $$ > ${dir}/pid; sleep 30; echo survived`);
    const f = stubborn();
    await waitFor(() => fs.existsSync(`${dir}/pid`) && fs.readFileSync(`${dir}/pid`, 'utf8').trim() !== '', 'pid file');
    const pid = Number(fs.readFileSync(`${dir}/pid`, 'utf8'));
    f.cancel();
    await expect(f).rejects.toBeInstanceOf(TaskCancelledError);
    expect(pidAlive(pid)).toBe(false);
  });

  test('a queued task never starts', async () => {
    flow = await WorkflowEngine.create({ backend: new ConcurrentExecutionBackend(undefined, { maxProcesses: 1 }) });
    const dir = tmp();
    const sh = flow.executableTask((cmd: string) => cmd);
    const first = sh(`sleep 0.3`);
    const queued = sh(`touch ${dir}/started`);
    expect(queued.state).toBe('PENDING');
    queued.cancel();
    await first;
    await expect(queued).rejects.toBeInstanceOf(TaskCancelledError);
    await sh('true');
    expect(fs.existsSync(`${dir}/started`)).toBe(false);
  });

  test('cancel of a task waiting for dependencies cancels it at once; cancel of a finished one is false', async () => {
    flow = await WorkflowEngine.create();
    const wait = flow.functionTask(() => new Promise((r) => setTimeout(r, 30)));
    const then = flow.functionTask((x: unknown) => x);
    const g = then(wait());
    expect(g.cancel()).toBe(true);
    expect(g.state).toBe('CANCELLED');
    const done = then(1);
    await done;
    expect(done.cancel()).toBe(false);
  });
});

describe('engine lifecycle', () => {
  test('create() fails at once when a backend cannot init, and closes the others', async () => {
    class Broken extends ConcurrentExecutionBackend {
      override async init(): Promise<void> { throw new Error('no scheduler'); }
    }
    let closed = 0;
    class Tracked extends ConcurrentExecutionBackend {
      override async shutdown(): Promise<void> { closed++; await super.shutdown(); }
    }
    await expect(WorkflowEngine.create({ backends: { ok: new Tracked(), bad: new Broken() } })).rejects.toThrow(/no scheduler/);
    expect(closed).toBe(1);
  });

  test('named backends, default and per-task backend choice', async () => {
    const a = new ConcurrentExecutionBackend();
    const b = new ConcurrentExecutionBackend();
    flow = await WorkflowEngine.create({ backends: { a, b }, default: 'b' });
    expect(flow.backend).toBe(b);
    const onA = flow.functionTask(() => 1, { backend: 'a' });
    const f = onA();
    await f;
    expect(flow.backends.get('a')).toBe(a);
    expect(() => flow.functionTask(() => 1, { backend: 'nope', name: 'lost' })).toThrow(/task 'lost': unknown backend 'nope'/);
  });

  test('shutdown cancels pending, waits for running, closes backends, leaves no child process; second call is a no-op', async () => {
    const backend = new ConcurrentExecutionBackend(undefined, { maxProcesses: 1 });
    flow = await WorkflowEngine.create({ backend });
    const before = new Set(childPids());
    let finished = false;
    const running = flow.functionTask(async () => { await new Promise((r) => setTimeout(r, 100)); finished = true; return 'ran'; })();
    const sh = flow.executableTask(() => 'sleep 0.2', { name: 'nap' });
    const procs = [sh(), sh(), sh()];
    const waiting = flow.functionTask((x: unknown) => x)(running);
    await flow.shutdown();
    expect(finished).toBe(true);
    expect(await running).toBe('ran');
    expect(waiting.state).toBe('CANCELLED');
    expect(procs.slice(1).map((p) => p.state)).toEqual(['CANCELLED', 'CANCELLED']);
    expect(childPids().filter((p) => !before.has(p))).toEqual([]);
    await flow.shutdown();
    expect(() => sh()).toThrow(EngineShutdownError);
    expect(() => sh()).toThrow("task 'nap' was called after the workflow engine shut down");
  });

  test('await using disposes the engine', async () => {
    let ref: WorkflowEngine;
    {
      await using f = await WorkflowEngine.create();
      ref = f;
      await f.functionTask(() => 1)();
    }
    expect(ref.isShutdown).toBe(true);
  });

  test('WorkflowEngine.live() lists engines from create() until shutdown(), not ones that failed to start', async () => {
    const a = await WorkflowEngine.create();
    const b = await WorkflowEngine.create();
    class Broken extends ConcurrentExecutionBackend {
      override async init(): Promise<void> { throw new Error('no scheduler'); }
    }
    await expect(WorkflowEngine.create({ backend: new Broken() })).rejects.toThrow(/no scheduler/);
    expect(WorkflowEngine.live()).toEqual(expect.arrayContaining([a, b]));
    const n = WorkflowEngine.live().length;
    await a.shutdown();
    expect(WorkflowEngine.live()).not.toContain(a);
    expect(WorkflowEngine.live()).toContain(b);
    expect(WorkflowEngine.live()).toHaveLength(n - 1);
    await b.shutdown();
  });

  test('setBackend switches the default and retires the old one once its tasks finish', async () => {
    let closed = 0;
    class Tracked extends ConcurrentExecutionBackend {
      override async shutdown(): Promise<void> { closed++; await super.shutdown(); }
    }
    const first = new Tracked();
    flow = await WorkflowEngine.create({ backend: first });
    const slow = flow.functionTask(() => new Promise((r) => setTimeout(() => r('old'), 50)));
    const f = slow();
    const second = new ConcurrentExecutionBackend();
    await flow.setBackend(second, 'second');
    expect(flow.backend).toBe(second);
    expect(closed).toBe(0);
    expect(await f).toBe('old');
    expect(closed).toBe(1);
    const g = flow.functionTask(() => 2)();
    expect(g.backend).toBe('second');
    expect(await g).toBe(2);
    // A backend registered by name stays open when it stops being the default.
    await flow.setBackend(new Tracked());
    expect(closed).toBe(1);
    expect(flow.backends.get('second')).toBe(second);
  });

  test('dryRun runs nothing', async () => {
    flow = await WorkflowEngine.create({ dryRun: true });
    const dir = tmp();
    const touch = flow.executableTask(() => `touch ${dir}/x`);
    expect(await touch()).toBe('');
    expect(fs.existsSync(`${dir}/x`)).toBe(false);
  });
});

test('flow.tasks forgets finished futures beyond 10,000 but keeps every unfinished one', async () => {
  const flow = await WorkflowEngine.create();
  const noop = flow.functionTask(function noop() { return 1; });
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const held = flow.functionTask(async function held() { await gate; return 2; });
  const pending = held();
  for (let round = 0; round < 5; round++) await flow.gather(Array.from({ length: 10_000 }, () => noop()));
  expect(flow.tasks.length).toBeLessThanOrEqual(20_001);
  expect(flow.tasks).toContain(pending);
  release();
  await pending;
  await flow.shutdown();
});
