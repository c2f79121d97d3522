import { afterEach, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
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

describe('function-worker --stdio protocol', () => {
  test('answers newline-delimited JSON requests, keeps task output off the reply stream', async () => {
    const child = spawn(process.execPath, [workerPath('slurm/function-worker'), '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (err += d));
    child.stdin.write(JSON.stringify({ id: 'a', source: '(x, y) => x + y', args: [2, 3] }) + '\n');
    child.stdin.write(JSON.stringify({ id: 'b', source: '() => { console.log("noise"); throw new TypeError("bad") }', args: [] }) + '\n');
    child.stdin.end();
    await new Promise((r) => child.on('close', r));
    const replies = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(replies[0]).toEqual({ ready: true, pid: child.pid });
    expect(replies).toContainEqual({ id: 'a', ok: true, value: 5 });
    const b = replies.find((r) => r.id === 'b');
    expect(b.ok).toBe(false);
    expect(b.error.name).toBe('TypeError');
    expect(err).toContain('noise');
  });
});
