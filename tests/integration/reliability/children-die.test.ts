// Issue 17 item 10: children die with the kernel, whatever kills it. Running executables (and what their shell
// started), `!cmd` processes and busy process-pool workers were left running with ppid 1 after SIGKILL of the
// kernel or process.exit() in a cell. Measured with `ps`, as the issue asks.
import { afterEach, describe, expect, test } from '@jest/globals';
import type { KernelClient } from '../../bench/kernel-client';
import { ps, sleep, startKernel, waitFor } from './helpers';

let k: KernelClient | undefined;
afterEach(async () => {
  await k?.close();
  k = undefined;
});

const CELLS = (tag: string) => [
  `flow.executableTask(() => 'sleep 301${tag}; echo done')(); 1`,
  `%backend processes 1\nconst spin = flow.functionTask(() => { require('child_process').spawn('sleep', ['302${tag}']); for (;;); }, { name: 'spin' }); spin(); 1`,
  `!sleep 303${tag}`,
];

// `arm` runs before the blocking !cmd cell (the shell channel is busy after it); `kill` ends the kernel.
describe.each([
  ['SIGKILL of the kernel', '1', (c: KernelClient) => (c as unknown as { proc: { kill(s: string): void } }).proc.kill('SIGKILL')],
  ['process.exit() in a cell', 'setTimeout(() => process.exit(3), 1500); 1', () => {}],
])('%s', (_how, arm, kill) => {
  test('running executables, their children, !cmd processes and busy process-pool workers all die', async () => {
    const tag = String(process.pid % 1000).padStart(3, '0');
    k = await startKernel();
    for (const code of [...CELLS(tag).slice(0, 2), arm]) {
      const r = await k.execute(code);
      expect(r.reply.content.status).toBe('ok');
    }
    void k.execute(CELLS(tag)[2]).catch(() => {}); // blocks in the shell until killed
    await waitFor(() => ['301', '302', '303'].every((n) => ps(`sleep ${n}${tag}`).length > 0), 'the three sleeps to run', 20_000);
    const before = ps(tag);
    expect(before.length).toBeGreaterThanOrEqual(3);
    kill(k);
    await waitFor(() => !k!.alive(), 'the kernel to exit', 10_000);
    // Direct children get the parent-death signal at once; the reaper kills their groups right after.
    await sleep(1000);
    expect(ps(tag)).toEqual([]);
  }, 60_000);
});
