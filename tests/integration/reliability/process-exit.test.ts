// process.exit() in a cell shuts the kernel down cleanly, with the code asked for: it used to end the kernel by
// SIGABRT (zeromq sockets still open on the control thread: `terminate called ... Napi::Error`).
import { expect, test } from '@jest/globals';
import { KernelClient } from '../../bench/kernel-client';
import { KERNEL_ARGV } from '../kernel/helpers';

test('process.exit(3) in a cell: SystemExit on the cell, then exit code 3, no signal', async () => {
  const k = new KernelClient();
  await k.start(KERNEL_ARGV);
  await k.ready();
  const exited = new Promise<[number | null, string | null]>((r) => k.proc.once('exit', (code, signal) => r([code, signal])));
  const r = await k.execute('process.exit(3)');
  expect(r.reply.content.ename).toBe('SystemExit');
  const [code, signal] = await exited;
  expect([code, signal]).toEqual([3, null]);
  expect(k.stderr).not.toMatch(/Napi::Error|terminate called|background error/);
  await k.close().catch(() => {});
}, 30_000);
