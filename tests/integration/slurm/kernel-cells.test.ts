// A cell's function run on SLURM (the pilot agent's function worker), through the real kernel: it names the
// cell's line and column when it throws, as it does in-loop and on the pools (kernel/worker-stacks.test.ts), and
// what it prints reaches that cell, stdout and stderr apart, not the kernel's own stderr.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { KernelClient, type Msg } from '../../bench/kernel-client';
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

test('what a slurm task prints reaches its cell, stdout and stderr apart, not the kernel\'s stderr', async () => {
  const r = await k.execute(`await flow.functionTask(async () => {
  console.log('to stdout from slurm');
  await new Promise((r) => setTimeout(r, 5));
  console.error('to stderr from slurm');
  return 1;
}, { backend: 'slurm' })()`);
  expect(r.reply.content.status).toBe('ok');
  const streams = r.iopub.filter((m: Msg) => m.header.msg_type === 'stream').map((m: Msg) => [m.content.name, m.content.text]);
  expect(streams.filter(([, t]) => /from slurm/.test(t))).toEqual([
    ['stdout', 'to stdout from slurm\n'], ['stderr', 'to stderr from slurm\n'],
  ]);
  expect(k.stderr).not.toMatch(/from slurm/);
}, 120_000);
