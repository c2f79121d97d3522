import { afterEach, describe, expect, test } from '@jest/globals';
import { fork, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConcurrentExecutionBackend, LocalExecutionBackend, WorkflowEngine } from '../../../extension';
import { workerPath } from '../../../extension/backends/worker-path';

let flow: WorkflowEngine;
afterEach(() => flow?.shutdown());

describe('ConcurrentExecutionBackend executables', () => {
  test('LocalExecutionBackend is the same backend; default name is async', async () => {
    expect(LocalExecutionBackend).toBe(ConcurrentExecutionBackend);
    expect(new LocalExecutionBackend().name).toBe('async');
  });

  test('cwd and env reach the command; engine env merges with task env', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbook-cwd-'));
    flow = await WorkflowEngine.create({ env: { A: 'engine', B: 'engine' } });
    const show = flow.executableTask(() => 'echo "$(pwd) $A $B"', { cwd: dir, env: { B: 'task' } });
    expect(await show()).toBe(`${fs.realpathSync(dir)} engine task`);
  });

  test('a missing cwd fails the task with a clear error', async () => {
    flow = await WorkflowEngine.create();
    const sh = flow.executableTask(() => 'echo hi', { cwd: '/nonexistent/flowbook', name: 'nowhere' });
    await expect(sh()).rejects.toThrow("task 'nowhere' command `echo hi` could not start: spawn /bin/sh ENOENT (cwd /nonexistent/flowbook)");
  });

  test('at most maxProcesses executables run at once', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbook-bound-'));
    const log = path.join(dir, 'log');
    flow = await WorkflowEngine.create({ backend: new ConcurrentExecutionBackend(undefined, { maxProcesses: 2 }) });
    const step = flow.executableTask((i: number) => `echo start >> ${log}; sleep 0.05; echo end >> ${log}`);
    await Promise.all(Array.from({ length: 6 }, (_, i) => step(i)));
    let running = 0;
    let peak = 0;
    for (const line of fs.readFileSync(log, 'utf8').trim().split('\n')) {
      running += line === 'start' ? 1 : -1;
      peak = Math.max(peak, running);
    }
    expect(peak).toBe(2);
  });
});

describe('SLURM function worker (forked with IPC)', () => {
  test('answers each request by id, structured-clones values, sends task output before its reply', async () => {
    const child = fork(workerPath('slurm/function-worker'), [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'advanced' });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d) => (out += d));
    const replies: any[] = [];
    const both = new Promise<void>((resolve) => child.on('message', (m) => replies.push(m) === 4 && resolve()));
    child.send({ id: 'a', source: '(x, y) => new Map([[x, y]])', args: [2, 3] });
    child.send({ id: 'b', source: '() => { console.log("noise"); throw new TypeError("bad") }', args: [] });
    // written at line 5, column 11 of cell-7.ts (0-based 4, 10): its frames say so
    child.send({ id: 'c', name: 'c', source: '() => { throw new Error("c") }', origin: { file: 'cell-7.ts', line: 4, column: 10 }, args: [] });
    await both;
    const exited = new Promise((r) => child.on('exit', r));
    child.disconnect(); // the worker exits when the agent goes
    expect(await exited).toBe(0);
    expect(replies).toContainEqual({ id: 'a', ok: true, value: new Map([[2, 3]]) });
    const b = replies.find((r) => r.id === 'b' && r.type !== 'output');
    expect(b.ok).toBe(false);
    expect(b.error.name).toBe('TypeError');
    // over IPC, in order with the reply (on the stdout pipe it could arrive after it); nothing on stdout
    const at = (pred: (r: any) => boolean) => replies.findIndex(pred);
    expect(at((r) => r.type === 'output')).toBeLessThan(at((r) => r === b));
    expect(replies.filter((r) => r.type === 'output')).toEqual([{ type: 'output', id: 'b', stream: 'stdout', text: 'noise\n' }]);
    expect(out).toBe('');
    expect(replies.find((r) => r.id === 'c' && r.type !== 'output').error.stack.split('\n')[1]).toBe('    at cell-7.ts:5:25');
  });

  test('refuses to start without an IPC channel', async () => {
    const child = spawn(process.execPath, [workerPath('slurm/function-worker')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d) => (err += d));
    const code = await new Promise((r) => child.on('close', r));
    expect(code).toBe(2);
    expect(err).toContain('child_process.fork');
  });
});
