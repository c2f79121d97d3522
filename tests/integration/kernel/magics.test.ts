// Magic cells through the kernel itself (raw zeromq client): the transform, the per-cell runtime, the scope.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KernelClient, Msg } from '../../bench/kernel-client';
import { MAIN, KERNEL_ARGV } from './helpers';

const of = (ms: Msg[], t: string) => ms.filter((m) => m.header.msg_type === t);
const out = (ms: Msg[]) => of(ms, 'stream').filter((m) => m.content.name === 'stdout').map((m) => m.content.text).join('');
let k: KernelClient;

beforeAll(async () => {
  k = new KernelClient();
  await k.start(KERNEL_ARGV);
  await k.ready();
});
afterAll(async () => k.close());

test('line magics and !cmd run inside an ordinary cell, in order, with the cell scope', async () => {
  const r = await k.execute('const who = "flowbook";\n!echo hello $who\n%time const sq = 7 * 7\nsq');
  expect(r.reply.content.status).toBe('ok');
  expect(out(r.iopub)).toMatch(/^hello flowbook\n[\s\S]*CPU times: user .*, sys: .*, total: .*\nWall time: /);
  expect(of(r.iopub, 'execute_result')[0].content.data['text/plain']).toBe('49');
});

test('an unknown magic is a UsageError and nothing in the cell runs', async () => {
  const file = path.join(os.tmpdir(), `flowbook-magic-${process.pid}`);
  const r = await k.execute(`require('node:fs').writeFileSync(${JSON.stringify(file)}, 'ran');\n%nosuchmagic`);
  expect(r.reply.content.status).toBe('error');
  expect(r.reply.content.ename).toBe('UsageError');
  expect(r.reply.content.evalue).toMatch(/nosuchmagic/);
  expect(fs.existsSync(file)).toBe(false);
});

test('%backend swaps the preloaded flow, and a failing !cmd fails the cell', async () => {
  const a = await k.execute('%backend processes 1\nflow.backend.name');
  expect(of(a.iopub, 'execute_result')[0].content.data['text/plain']).toBe("'processes'");
  const b = await k.execute('!exit 3');
  expect(b.reply.content.status).toBe('error');
  expect(JSON.stringify(b.reply.content)).toMatch(/3/);
  const c = await k.execute('%backend async\nflow.backend.name');
  expect(of(c.iopub, 'execute_result')[0].content.data['text/plain']).toBe("'async'");
});

test('an interrupted %%flow sends its final table and chart before the error and idle; unstarted tasks say why', async () => {
  const code = [
    '%%flow',
    'const nap = flow.functionTask((ms: number) => new Promise((r) => setTimeout(() => r(ms), ms)), { name: "nap" })',
    'const wave1 = [1, 2, 3].map(() => nap(3000))',
    'const wave2 = wave1.map((t) => flow.functionTask((x: number) => x, { name: "after" })(t))',
    'await Promise.all(wave2)',
  ].join('\n');
  const run = k.execute(code);
  await new Promise((r) => setTimeout(r, 800));
  await k.request('interrupt_request', {}, 'control');
  const r = await run;
  const types = r.iopub.map((m) => m.header.msg_type);
  const error = types.indexOf('error');
  expect(error).toBeGreaterThan(0);
  const chart = r.iopub.findIndex((m) => m.header.msg_type === 'display_data' && m.content.data['image/png']);
  expect(chart).toBeGreaterThan(0);
  expect(r.iopub.indexOf(r.iopub[chart])).toBeLessThan(r.iopub.findIndex((m) => m.header.msg_type === 'error'));
  const table = r.iopub.filter((m) => m.header.msg_type === 'update_display_data').pop()!;
  const plain = String(table.content.data['text/plain']);
  expect(plain).toMatch(/after\s.*dependency `nap#\d` was cancelled/);
  expect(plain).not.toMatch(/node:events/);
  // the 'after' tasks never started: no start and no duration in their rows
  for (const line of plain.split('\n').filter((l) => /^\s*\d+\s+after\s/.test(l))) expect(line).not.toMatch(/ms\s+\S+ ms\s+\S+ ms/);
}, 60_000);
