// The user's namespace is the user's: a cell may declare any global name, and the kernel (magics, output,
// interrupts, the engine) keeps working. Each name in a fresh kernel, through the raw protocol client.
import { describe, expect, test } from '@jest/globals';
import { KernelClient, Msg } from '../../bench/kernel-client';
import { KERNEL_ARGV } from './helpers';

const text = (ms: Msg[]) => ms.filter((m) => m.header.msg_type === 'stream').map((m) => m.content.text).join('');
const result = (ms: Msg[]) => ms.find((m) => m.header.msg_type === 'execute_result')?.content.data['text/plain'];

const DECLARATIONS: Record<string, string> = {
  process: 'function process(x: any) { return x; }',
  performance: 'function performance() {}',
  Buffer: "const Buffer = 'x'",
  setTimeout: 'let setTimeout = 1',
  setImmediate: 'var setImmediate = null',
  queueMicrotask: 'const queueMicrotask = () => {}',
  Promise: 'class Promise {}',
  console: 'const console = { log() {} }',
  require: 'let require = 0',
  module: 'const module = 5',
  'globalThis.x': 'globalThis.process = 1; globalThis.Buffer = 2',
  display: 'let display = 3',
  flow: "const flow = 'mine'",
  plot: 'function plot() { return 1 }',
};

describe.each(Object.entries(DECLARATIONS))('after declaring %s', (name, code) => {
  test('the kernel keeps working: the next cell, %time, an interrupt, awaits and imports', async () => {
    const k = new KernelClient();
    await k.start(KERNEL_ARGV);
    try {
      await k.ready();
      expect((await k.execute(code)).reply.content.status).toBe('ok');
      expect(result((await k.execute('40 + 2')).iopub)).toBe('42');
      const timed = await k.execute('%time 6 * 7');
      expect(timed.reply.content.status).toBe('ok');
      expect(text(timed.iopub)).toMatch(/Wall time/);
      const spin = k.execute('while (true) {}');
      await new Promise((r) => setTimeout(r, 300));
      await k.request('interrupt_request', {}, 'control');
      expect((await spin).reply.content.ename).toBe('KeyboardInterrupt');
      const later = await k.execute('import * as p from "node:path"; await new globalThis.Promise((r) => globalThis.setTimeout(r, 20)); p.join("a", "b")');
      expect(result(later.iopub)).toBe("'a/b'");
    } finally {
      await k.close();
    }
    expect(k.stderr).not.toMatch(/background error|is not a function/);
  }, 60_000);
});
