// Short reprs, the no-await marker, and built-in backend names on any engine (issue 14 item 10).
import { afterEach, describe, expect, test } from '@jest/globals';
import { inspect } from 'node:util';
import { WorkflowEngine } from '../../../extension';

let flow: WorkflowEngine | undefined;
afterEach(async () => {
  await flow?.shutdown();
  flow = undefined;
});

describe('reprs', () => {
  test('a future shows its id, state and time in one short line, as text and HTML', async () => {
    flow = await WorkflowEngine.create();
    const load = flow.functionTask(async () => { await new Promise((r) => setTimeout(r, 30)); return 1; }, { name: 'load' });
    const f = load();
    await new Promise((r) => setTimeout(r, 10));
    expect(inspect(f)).toMatch(/^<TaskFuture load\.\d+ RUNNING \d+ ms>$/);
    await f;
    const bundle = (f as unknown as Record<symbol, () => Record<string, string>>)[Symbol.for('flowbook.mimebundle')]();
    expect(bundle['text/plain']).toMatch(/^<TaskFuture load\.\d+ DONE \d+ ms>$/);
    expect(bundle['text/html']).toMatch(/^<code>&lt;TaskFuture load/);
    expect(inspect(flow)).toBe('<WorkflowEngine backends async*; 1 done>');
    expect(inspect(flow.backend)).toBe('<ConcurrentExecutionBackend async>');
  });

  test('a future carries the no-await marker; a failed one shows why', async () => {
    flow = await WorkflowEngine.create();
    const f = flow.functionTask(() => { throw new Error('disk full'); }, { name: 'w' })();
    await f.then(() => {}, () => {});
    expect((f as unknown as Record<symbol, unknown>)[Symbol.for('flowbook.noAwait')]).toBe(true);
    expect(inspect(f)).toMatch(/FAILED .*: disk full>$/);
  });
});

describe('built-in backend names', () => {
  test('threads and processes work by name on a plain engine, started by the first task', async () => {
    flow = await WorkflowEngine.create();
    expect([...flow.backends.keys()]).toEqual(['async']);
    const where = flow.functionTask(() => `${process.pid}/${require('node:worker_threads').threadId}`, { backend: 'threads' });
    const pid = flow.functionTask(() => process.pid, { backend: 'processes' });
    expect(await where()).not.toBe(`${process.pid}/0`);
    expect(await pid()).not.toBe(process.pid);
    expect([...flow.backends.keys()].sort()).toEqual(['async', 'processes', 'threads']);
  });

  test('an unknown name lists the built-in ones', async () => {
    flow = await WorkflowEngine.create();
    expect(() => flow!.functionTask(() => 1, { backend: 'gpu' })).toThrow(/unknown backend 'gpu' \(known: async, threads, processes, slurm\)/);
  });
});
