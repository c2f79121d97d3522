// No CPU while waiting: a cell that awaits a timer, and an idle kernel, cost next to nothing (measured from
// /proc/<pid>/stat, all threads). The awaiting cell used to cost a full core (1.99 CPU-s for a 2 s sleep).
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import { KernelClient, Msg } from '../../bench/kernel-client';
import { KERNEL_ARGV } from '../kernel/helpers';

const TICK_MS = 10; // USER_HZ = 100 on Linux
let k: KernelClient;

/** utime + stime of the kernel process, in ms. */
function cpuMs(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

const text = (ms: Msg[]) => ms.filter((m) => m.header.msg_type === 'stream').map((m) => m.content.text).join('');

beforeAll(async () => {
  k = new KernelClient();
  await k.start(KERNEL_ARGV);
  await k.ready();
  // Warm up: a few cells, then let the background type check of them finish (it is work, not waiting).
  for (const code of ['1 + 1', 'const n: number = 2; n', 'await new Promise((r) => setTimeout(r, 10))']) await k.execute(code);
  let last = cpuMs(k.proc.pid!);
  for (let i = 0; i < 30; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const now = cpuMs(k.proc.pid!);
    if (now - last <= TICK_MS) break;
    last = now;
  }
}, 60_000);
afterAll(() => k.close());

test('a cell awaiting a 2 s timer uses at most 2% of a core', async () => {
  const before = cpuMs(k.proc.pid!);
  const r = await k.execute('await new Promise((r) => setTimeout(r, 2000))');
  const used = cpuMs(k.proc.pid!) - before;
  expect(r.reply.content.status).toBe('ok');
  expect(used).toBeLessThanOrEqual(40 + TICK_MS); // 2% of 2 s, plus the stat counter's resolution
});

test('%time await of a 1 s sleep reports a CPU total under 20 ms', async () => {
  const r = await k.execute('%time await new Promise((r) => setTimeout(r, 1000))');
  const m = /total: ([\d.]+) (ms|µs|us|ns|s)\b/.exec(text(r.iopub));
  expect(m).not.toBeNull();
  const scale: Record<string, number> = { s: 1000, ms: 1, µs: 1e-3, us: 1e-3, ns: 1e-6 };
  expect(Number(m![1]) * scale[m![2]]).toBeLessThan(20);
});

test('an idle kernel uses no CPU', async () => {
  await new Promise((r) => setTimeout(r, 11_000)); // past the 10 s in which the realm's queue is still polled
  const before = cpuMs(k.proc.pid!);
  await new Promise((r) => setTimeout(r, 2000));
  expect(cpuMs(k.proc.pid!) - before).toBeLessThanOrEqual(TICK_MS);
}, 30_000);
