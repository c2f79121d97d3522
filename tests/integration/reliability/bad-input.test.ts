// Bad input: headers missing fields and a 100 MB message (with the default size limit) are logged or refused and
// the kernel survives; bad magic arguments, an unknown backend and a task called after shutdown get a clear
// error and change nothing. (Garbage frames, bad JSON and unknown msg_types: tests/integration/kernel/bad-input.)
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { KernelClient } from '../../bench/kernel-client';
import { evalText, rssMB, startKernel, tempDir } from './helpers';

let k: KernelClient;
const dir = tempDir('bad');
beforeAll(async () => {
  k = await startKernel();
  await evalText(k, 'let sideEffect = 0; const keep = 42');
});
afterAll(() => k?.close());

async function stillServing(): Promise<void> {
  expect(k.alive()).toBe(true);
  expect(await evalText(k, 'keep')).toBe('42');
}

/** Sends a correctly signed execute_request with a hand-made header. */
async function withHeader(header: unknown, code: string): Promise<void> {
  const parts = [header, {}, {}, { code, silent: false }].map((x) => Buffer.from(JSON.stringify(x)));
  await k.sendRaw('shell', [Buffer.from('<IDS|MSG>'), Buffer.from(k.sign(parts)), ...parts]);
}

const evidence = (name: string) => `require('node:fs').writeFileSync(${JSON.stringify(path.join(dir, name))}, 'ran')`;

describe('protocol', () => {
  test('headers missing msg_id, session or msg_type are dropped and logged', async () => {
    const full = { msg_id: randomUUID(), session: k.session, username: 'x', date: new Date().toISOString(), msg_type: 'execute_request', version: '5.3' };
    const before = k.stderr.length;
    for (const field of ['msg_id', 'session', 'msg_type'] as const) {
      const { [field]: _, ...header } = full;
      await withHeader(header, evidence(`no-${field}`));
    }
    await withHeader(null, evidence('null-header'));
    await stillServing();
    expect(fs.readdirSync(dir)).toEqual([]);
    const log = k.stderr.slice(before);
    for (const field of ['msg_id', 'session', 'msg_type']) expect(log).toMatch(new RegExp(`dropped message: malformed header: missing ${field}`));
    expect(log).toMatch(/dropped message: malformed header\n/);
  });

  test('a 100 MB message is refused (default limit) without executing it; the kernel stays small and answers', async () => {
    const code = `${evidence('huge')} // ${'x'.repeat(100 * 1024 * 1024)}`;
    const before = k.stderr.length;
    await k.sendRaw('shell', k.frames('execute_request', { code }).frames);
    // zeromq drops the peer that exceeded maxMessageSize; the dealer reconnects, so ask until the kernel answers.
    await k.ready();
    await stillServing();
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(k.stderr.slice(before)).toMatch(/shell: a client disconnected .*exceeds \d+ bytes/);
    const rss = rssMB(k.proc.pid!);
    console.log(`kernel RSS after a refused 100 MB message: ${rss.toFixed(0)} MB`);
    expect(rss).toBeLessThan(400);
  });
});

describe('extension', () => {
  /** The cell fails with `ename` and a message matching `message`; `sideEffect` and the backend are unchanged. */
  async function refused(code: string, ename: string, message: RegExp): Promise<void> {
    const backend = await evalText(k, 'flow.backend.name');
    const tasks = await evalText(k, 'flow.tasks.length');
    const r = await k.execute(code);
    expect(r.reply.content.status).toBe('error');
    expect(r.reply.content.ename).toBe(ename);
    expect(r.reply.content.evalue).toMatch(message);
    expect(await evalText(k, 'sideEffect')).toBe('0');
    expect(await evalText(k, 'flow.backend.name')).toBe(backend);
    expect(await evalText(k, 'flow.tasks.length')).toBe(tasks);
    await stillServing();
  }

  test('an unknown backend name in %backend, %%flow and a task option', async () => {
    await refused('%backend nosuch', 'UsageError', /unknown backend 'nosuch'.*Use: async \| threads/);
    await refused('%%flow --backend warp9\nsideEffect++', 'UsageError', /unknown backend 'warp9'/);
    await refused("flow.functionTask(() => sideEffect++, { backend: 'nosuch' })", 'InvalidTaskError', /unknown backend 'nosuch' \(known: /);
  });

  test('bad magic arguments', async () => {
    await refused('%backend threads 0', 'UsageError', /worker count must be a positive integer, got '0'/);
    await refused('%%flow --plot pie\nsideEffect++', 'UsageError', /pie/);
    await refused('%timeit -n lots sideEffect++', 'UsageError', /lots/);
    await refused('%nosuchmagic', 'UsageError', /Line magic function `%nosuchmagic` not found/);
  });

  test('a task called after its engine shut down', async () => {
    await evalText(k, "const other = await WorkflowEngine.create(); const late = other.functionTask(() => sideEffect++, { name: 'late' }); await other.shutdown(); 'ok'");
    await refused('late()', 'EngineShutdownError', /task 'late' was called after the workflow engine shut down/);
    expect(await evalText(k, 'other.tasks.length')).toBe('0');
  });
});
