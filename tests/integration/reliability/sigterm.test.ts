// Fault 4: a child that ignores SIGTERM is killed after the grace period, on cancel and on timeout; its whole
// process tree is gone. (tests/unit/engine/lifecycle.test.ts covers the plain cancel of the shell itself.)
import { afterEach, describe, expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import {
  ConcurrentExecutionBackend, ProcessPoolExecutor, TaskCancelledError, TaskTimeoutError, WorkflowEngine,
} from '../../../extension';
import { pidAlive, tempDir, waitFor } from './helpers';

const GRACE = 300;
let flow: WorkflowEngine | undefined;
afterEach(async () => {
  await flow?.shutdown();
  flow = undefined;
});

/** Waits for `file` to hold pids, one per line. */
async function pidsIn(file: string, n: number): Promise<number[]> {
  const read = () => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number) : []);
  await waitFor(() => read().length >= n, `${n} pids in ${file}`);
  return read();
}

/** The shell and its `sleep` both ignore TERM (the trap is inherited): only SIGKILL ends them. */
const stubborn = (dir: string) => `trap '' TERM; sleep 30 & echo $$ >> ${dir}/pids; echo $! >> ${dir}/pids; wait; echo survived`;

describe('executable that ignores SIGTERM', () => {
  test('cancel: SIGTERM is ignored, SIGKILL follows after the grace period, no process survives', async () => {
    flow = await WorkflowEngine.create({ backend: new ConcurrentExecutionBackend(undefined, { killGraceMs: GRACE }) });
    const dir = tempDir('term');
    const f = flow.executableTask(() => stubborn(dir), { name: 'stubborn' })();
    const pids = await pidsIn(`${dir}/pids`, 2);
    const t0 = Date.now();
    f.cancel();
    await new Promise((r) => setTimeout(r, GRACE / 2));
    // Still alive halfway through the grace period: SIGTERM really was ignored, so SIGKILL is what ends it.
    expect(pids.map(pidAlive)).toEqual([true, true]);
    await expect(f).rejects.toBeInstanceOf(TaskCancelledError);
    await waitFor(() => !pids.some(pidAlive), 'the shell and its sleep to be gone', 10_000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(GRACE);
  });

  test('timeout: the task fails with TaskTimeoutError and its process tree is gone', async () => {
    flow = await WorkflowEngine.create({ backend: new ConcurrentExecutionBackend(undefined, { killGraceMs: GRACE }) });
    const dir = tempDir('term');
    const f = flow.executableTask(() => stubborn(dir), { name: 'slow', timeoutMs: 500 })();
    const pids = await pidsIn(`${dir}/pids`, 2);
    await expect(f).rejects.toBeInstanceOf(TaskTimeoutError);
    await waitFor(() => !pids.some(pidAlive), 'the shell and its sleep to be gone', 10_000);
    // The workflow goes on.
    expect(await flow.executableTask(() => 'echo next')()).toBe('next');
  });

  test('process pool: a function that ignores SIGTERM is killed on timeout; the pool replaces its worker', async () => {
    flow = await WorkflowEngine.create({
      backend: new ConcurrentExecutionBackend(new ProcessPoolExecutor({ maxWorkers: 1, killGraceMs: GRACE })),
    });
    const dir = tempDir('term');
    function deaf(file: string): Promise<never> {
      process.on('SIGTERM', () => {});
      require('node:fs').writeFileSync(file, String(process.pid));
      return new Promise(() => {});
    }
    const f = flow.functionTask(deaf, { timeoutMs: 500 })(`${dir}/pid`);
    const [pid] = await pidsIn(`${dir}/pid`, 1);
    await expect(f).rejects.toBeInstanceOf(TaskTimeoutError);
    expect(pidAlive(pid)).toBe(false);
    expect(await flow.functionTask(() => process.pid)()).not.toBe(pid);
  });
});
