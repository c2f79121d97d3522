// Issue 17 item 5: SIGTERM was ignored while a cell ran `while (true) {}` or waited in `input()`; the kernel was
// still running 15 s later. Now it ends within 2 s, and the task it had started dies with it.
import { afterEach, describe, expect, test } from '@jest/globals';
import type { KernelClient } from '../../bench/kernel-client';
import { ps, sleep, startKernel, untilSpinning, waitFor } from './helpers';

let k: KernelClient | undefined;
afterEach(async () => {
  await k?.close();
  k = undefined;
});

describe.each([
  ['spins in while (true) {}', 'while (true) {}', {}],
  ['waits in input()', 'input("name? ")', { allow_stdin: true }],
  ['awaits a timer (the graceful path)', 'await new Promise((r) => setTimeout(r, 60_000))', {}],
])('SIGTERM while a cell %s', (_what, code, extra) => {
  test('the kernel exits within 2 s and its running task dies with it', async () => {
    const tag = String(process.pid % 1000).padStart(3, '0');
    k = await startKernel();
    const r = await k.execute(`flow.executableTask(() => 'sleep 304${tag}; echo done')(); 1`);
    expect(r.reply.content.status).toBe('ok');
    await waitFor(() => ps(`sleep 304${tag}`).length > 0, 'the task to run', 20_000);
    void k.execute(code, extra).catch(() => {});
    if (code.startsWith('while')) await untilSpinning(k.proc.pid!);
    else await sleep(500);
    const t0 = Date.now();
    k.proc.kill('SIGTERM');
    await waitFor(() => !k!.alive(), 'the kernel to exit', 10_000);
    const took = Date.now() - t0;
    await waitFor(() => ps(`sleep 304${tag}`).length === 0, 'the task process to be gone', 5_000);
    expect(took).toBeLessThan(2000);
  }, 60_000);
});
