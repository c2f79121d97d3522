// A task shipped to a worker reports the frames of the cell it was written in, as it does in-loop: the worker
// compiles it at that cell's file, line and column, and the kernel maps them to the cell's lines. Also the
// frames of a task in a plain script, outside the kernel.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { KernelClient, Msg } from '../../bench/kernel-client';
import { KERNEL_ARGV, ROOT } from './helpers';

let k: KernelClient;
let defined = 0;
beforeAll(async () => {
  k = new KernelClient();
  await k.start(KERNEL_ARGV);
  await k.ready();
  // TypeScript (types are emitted away: generated positions differ from the cell's) and a throw after an await.
  const r = await k.execute(`interface Job { n: number }
const unused: number = 0;
async function check({ n }: Job): Promise<number> {
  await new Promise((r) => setTimeout(r, 5));
  if (n > 1) throw new RangeError(\`too big: \${n}\`);
  return n;
}`);
  expect(r.reply.content.status).toBe('ok');
  defined = r.reply.content.execution_count;
}, 60_000);
afterAll(() => k.close());

const traceback = (r: { reply: Msg }): string[] => r.reply.content.traceback ?? [];

test.each(['threads', 'processes'])('a cell function that throws on %s names its cell, line and column, as in-loop', async (backend) => {
  const inLoop = traceback(await k.execute('await flow.functionTask(check)({ n: 2 })'));
  const shipped = traceback(await k.execute(`await flow.functionTask(check, { backend: '${backend}' })({ n: 2 })`));
  expect(inLoop[1]).toBe(`    at check (cell-${defined}, line 5, column 20)`);
  expect(shipped.slice(0, 2)).toEqual(['RangeError: too big: 2', inLoop[1]]);
  expect(shipped.join('\n')).not.toMatch(/reviveFunction|eval at|anonymous/);
}, 60_000);

test.each(['threads', 'processes'])('an arrow written in the calling cell names that cell on %s (first-line column)', async (backend) => {
  const task = `flow.functionTask((a: number) => { throw new Error('inline ' + a) }, { backend: '${backend}' })`;
  const r = await k.execute(`const n: number = 1; await ${task}(n)`);
  const column = `const n: number = 1; await ${task}`.indexOf('new Error') + 1;
  expect(traceback(r)[1]).toBe(`    at cell-${r.reply.content.execution_count}, line 1, column ${column}`);
}, 60_000);

test("outside the kernel, a task of the main script names the script file and line; the script's const URL is refused", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbook-stack-'));
  try {
    const script = path.join(dir, 'job.js');
    fs.writeFileSync(script, [
      `const { WorkflowEngine } = require(${JSON.stringify(path.join(ROOT, 'dist/extension'))});`,
      'function boom(x) {',
      "  throw new Error('script ' + x);",
      '}',
      "const URL = 'http://example.org';",
      '(async () => {',
      '  const e = await WorkflowEngine.create();',
      "  try { await e.functionTask(() => String(URL), { backend: 'threads' })(); } catch (err) { console.log(err.message); }",
      "  try { await e.functionTask(boom, { backend: 'threads' })(1); } catch (err) { console.log(err.stack); }",
      '  await e.shutdown();',
      '})();',
    ].join('\n'));
    const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 60_000 });
    const [closure, ...stack] = r.stdout.split('\n');
    // the script's own URL, which the worker would not see (its global URL class instead), is refused
    expect(closure).toMatch(/^task 'task' uses 'URL' from its enclosing scope; .*\(it hides the global URL, which a worker would use instead\)$/);
    expect(stack.slice(0, 2)).toEqual(['Error: script 1', `    at boom (${script}:3:9)`]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
