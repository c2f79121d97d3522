// Worker output reaches the context that started the task (the kernel routes it to that cell from there):
// stdout and stderr apart, lines tagged with their task while several run (issue 14 item 4).
import { afterEach, describe, expect, jest, test } from '@jest/globals';
import { AsyncLocalStorage } from 'node:async_hooks';
import { runInGroup, type WorkflowEngine } from '../../../extension';
import { POOL_KINDS, poolEngine } from '../../support/engines';

let flow: WorkflowEngine | undefined;
afterEach(async () => {
  jest.restoreAllMocks();
  await flow?.shutdown();
  flow = undefined;
});

const cell = new AsyncLocalStorage<string>();

/** Records writes to process.stdout/stderr with the `cell` store they were made in. */
function captureWrites(): Array<{ stream: string; cell: string | undefined; text: string }> {
  const seen: Array<{ stream: string; cell: string | undefined; text: string }> = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    jest.spyOn(process[stream], 'write').mockImplementation(((text: string) => {
      seen.push({ stream, cell: cell.getStore(), text: String(text) });
      return true;
    }) as never);
  }
  return seen;
}

describe.each(POOL_KINDS)('%s pool output', (kind) => {
  test('console.log and console.error of a task go to the caller\'s context, apart', async () => {
    flow = await poolEngine(kind, { maxWorkers: 1 });
    const chatty = flow.functionTask(async (x: number) => {
      console.log(`out ${x}`);
      await new Promise((r) => setTimeout(r, 5));
      console.error(`err ${x}`);
      return x;
    }, { name: 'chatty' });
    const seen = captureWrites();
    const v = await cell.run('cell-7', () => runInGroup('g7', () => chatty(1)));
    expect(v).toBe(1);
    const mine = seen.filter((w) => /out 1|err 1/.test(w.text));
    expect(mine).toEqual([
      { stream: 'stdout', cell: 'cell-7', text: 'out 1\n' },
      { stream: 'stderr', cell: 'cell-7', text: 'err 1\n' },
    ]);
  });

  test('several tasks at once: each line tagged with its task, each in its own cell', async () => {
    flow = await poolEngine(kind, { maxWorkers: 2 });
    const talk = flow.functionTask(async (x: number) => {
      for (let i = 0; i < 3; i++) {
        console.log(`line ${i} of ${x}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return x;
    }, { name: 'talk' });
    const seen = captureWrites();
    const [a, b] = [cell.run('A', () => runInGroup('gA', () => talk(1))), cell.run('B', () => runInGroup('gB', () => talk(2)))];
    await Promise.all([a, b]);
    const lines = seen.filter((w) => /line \d of/.test(w.text));
    const ofA = lines.filter((w) => w.cell === 'A').map((w) => w.text).join('');
    const ofB = lines.filter((w) => w.cell === 'B').map((w) => w.text).join('');
    expect(ofA).toMatch(/line 0 of 1[\s\S]*line 2 of 1/);
    expect(ofA).not.toMatch(/of 2/);
    expect(ofB).not.toMatch(/of 1/);
    expect(lines.some((w) => /^\[talk\.\d+\] line/.test(w.text))).toBe(true);
  });
});
