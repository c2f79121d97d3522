// The engine is importable without the kernel: require('<project root>') gives the public API (built dist/).
import { describe, expect, test } from '@jest/globals';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';

describe('package entry', () => {
  test('require(project root) runs the issue example in a plain node process, without loading the kernel', () => {
    const root = path.resolve(__dirname, '../../..');
    const script = `
      const api = require(${JSON.stringify(root)});
      (async () => {
        const { WorkflowEngine, ConcurrentExecutionBackend, ThreadPoolExecutor, ProcessPoolExecutor, LocalExecutionBackend,
                DependencyFailureError, TaskCancelledError, TaskTimeoutError, runInGroup } = api;
        for (const x of [ThreadPoolExecutor, ProcessPoolExecutor, LocalExecutionBackend, DependencyFailureError,
                         TaskCancelledError, TaskTimeoutError, runInGroup]) if (typeof x !== 'function') throw new Error('missing export');
        const flow = await WorkflowEngine.create({ backend: new ConcurrentExecutionBackend() });
        const fetchData = flow.functionTask(async (n) => n * 2);
        const compile = flow.executableTask((x) => 'echo ' + x);
        const both = flow.functionTask((a, b) => a + Number(b.x));
        const r = await both(fetchData(1), { x: compile(3) });
        await flow.shutdown();
        const kernel = Object.keys(require.cache).filter((k) => k.includes('/dist/kernel/'));
        console.log(JSON.stringify({ r, kernel }));
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }).trim());
    expect(out).toEqual({ r: 5, kernel: [] });
  });
});
