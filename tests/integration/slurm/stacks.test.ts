// A cell's function run on SLURM (the agent's function worker) names the cell's line and column when it
// throws, as it does in-loop and on the pools (tests/integration/kernel/worker-stacks.test.ts).
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { KernelClient } from '../../bench/kernel-client';
import { KERNEL_ARGV } from '../kernel/helpers';
import { requireSlurm } from './helpers';

let k: KernelClient;
beforeAll(async () => {
  requireSlurm();
  k = new KernelClient();
  await k.start(KERNEL_ARGV);
  await k.ready();
}, 60_000);
afterAll(() => k.close());

test('a cell function that throws on slurm names its cell, line and column', async () => {
  const def = await k.execute(`interface Job { n: number }
async function check({ n }: Job): Promise<number> {
  await new Promise((r) => setTimeout(r, 5));
  if (n > 1) throw new RangeError(\`too big: \${n}\`);
  return n;
}`);
  const r = await k.execute(`await flow.functionTask(check, { backend: 'slurm' })({ n: 2 })`);
  expect(r.reply.content.traceback.slice(0, 2)).toEqual([
    'RangeError: too big: 2', `    at check (cell-${def.reply.content.execution_count}, line 4, column 20)`,
  ]);
}, 120_000);
