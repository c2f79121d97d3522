// A kernel whose starter is gone. Found on the dev machine: kernels whose client process had died were still
// running an hour later at 30% of a core each, because their stderr was a closed pipe and every log line failed
// with EPIPE, which was logged, which failed again (2,000 lines a second). Now the log goes quiet, and a kernel
// started by jupyter_client (JPY_PARENT_PID, as ipykernel's parent poller) shuts down when its parent dies.
import { afterEach, expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import { KernelClient } from '../../bench/kernel-client';
import { NODE_FLAGS } from '../../../kernel/node-flags';
import { MAIN } from '../kernel/helpers';
import { cpuMs, descendants, pidAlive, sleep, waitFor } from './helpers';

let k: KernelClient | undefined;
afterEach(async () => {
  await k?.close();
  k = undefined;
});

/**
 * The kernel under a bash that pipes its stderr into `head -c 1`: the pipe closes after the first byte of the
 * log. `parentEnv` exports JPY_PARENT_PID=<that bash>, as jupyter_client does for the server.
 */
async function underClosedStderr(parentEnv: boolean): Promise<{ kernelPid: number; starter: number }> {
  k = new KernelClient();
  const node = [process.execPath, ...NODE_FLAGS, MAIN].join(' ');
  const script = `${parentEnv ? 'export JPY_PARENT_PID=$$; ' : ''}${node} "$0" 2>&1 >/dev/null | head -c 1 >/dev/null; wait`;
  await k.start(['/bin/bash', '-c', script, '{connection_file}'], { ...process.env, FLOWBOOK_LOG: 'on' });
  await k.ready();
  const starter = k.proc.pid!;
  const kernelPid = descendants(starter).find((p) => fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('main.js'));
  if (!kernelPid) throw new Error('kernel process not found under its bash');
  return { kernelPid, starter };
}

test('stderr closed: a logged line costs nothing more, and the kernel still answers', async () => {
  const { kernelPid } = await underClosedStderr(false);
  // Unknown message types are logged (kernel/protocol/dispatch.ts): each write now meets a closed pipe.
  for (let i = 0; i < 5; i++) await k!.sendRaw('shell', k!.frames('no_such_request', {}).frames);
  // The kernel's own start-up work (the language worker builds its program) ends; the error loop did not (it
  // used ~600 ms of every 2 s, for an hour).
  const windows: number[] = [];
  for (let i = 0; i < 15 && !(windows.length && windows[windows.length - 1] <= 20); i++) {
    const before = cpuMs(kernelPid);
    await sleep(2000);
    windows.push(cpuMs(kernelPid) - before);
  }
  console.log(`kernel CPU per 2 s with a closed stderr (ms): ${windows.join(' ')}`);
  expect(windows[windows.length - 1]).toBeLessThanOrEqual(20);
  const r = await k!.execute('1 + 1');
  expect(r.reply.content.status).toBe('ok');
}, 60_000);

test('started with JPY_PARENT_PID: the kernel shuts down when that parent dies', async () => {
  const { kernelPid, starter } = await underClosedStderr(true);
  process.kill(starter, 'SIGKILL');
  await waitFor(() => !pidAlive(kernelPid), 'the orphaned kernel to exit', 10_000);
}, 60_000);
