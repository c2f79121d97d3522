// The language worker through the kernel: completion from types and from the runtime (never running user
// code), inspect with signatures and JSDoc, type warnings that travel with their cell, and a shell queue that
// does not wait for any of it.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KernelClient, Msg } from '../../bench/kernel-client';
import { MAIN } from './helpers';

const of = (ms: Msg[], t: string) => ms.filter((m) => m.header.msg_type === t);
const stderr = (ms: Msg[]) => of(ms, 'stream').filter((m) => m.content.name === 'stderr').map((m) => m.content.text).join('');
let k: KernelClient;
let early: { execute: number; inspect: number; inspectText: string };

const matches = async (code: string) => (await k.request('complete_request', { code, cursor_pos: code.length })).reply.content.matches as string[];
const inspect = async (code: string, cursor = code.length) => (await k.request('inspect_request', { code, cursor_pos: cursor, detail_level: 0 })).reply.content;

beforeAll(async () => {
  k = new KernelClient();
  await k.start([process.execPath, MAIN, '{connection_file}']);
  await k.ready();
  // The first inspect needs the model built; an execute sent right after must not wait for it.
  const t0 = performance.now();
  const at: Record<string, number> = {};
  const [insp] = await Promise.all([
    k.request('inspect_request', { code: 'flow.functionTask', cursor_pos: 10, detail_level: 0 }).then((r) => ((at.inspect = performance.now() - t0), r)),
    k.execute('1', { allow_stdin: true }).then((r) => ((at.execute = performance.now() - t0), r)),
  ]);
  early = { execute: at.execute, inspect: at.inspect, inspectText: insp.reply.content.data['text/plain'] };
}, 60_000);
afterAll(async () => k.close());

test('an execute sent beside the first inspect is answered without waiting for it', () => {
  expect(early).toMatchObject({ inspectText: expect.stringMatching(/functionTask<.*TaskCall/) });
  expect(early.execute).toBeLessThan(early.inspect);
});

test('completion from the types: members of expressions, names declared in the edited code', async () => {
  expect(await matches('[1, 2].fla')).toEqual(['flat', 'flatMap']);
  expect(await matches("'abc'.toUpp")).toEqual(['toUpperCase']);
  expect(await matches('(await Promise.resolve([1])).fla')).toEqual(['flat', 'flatMap']);
  expect(await matches('const qqLongName = 1; qqLong')).toEqual(['qqLongName']);
  expect(await matches('function f() { const localVar = 1; localV')).toEqual(['localVar']);
  // runtime names still come: a value made by a cell, the preloaded API
  await k.execute('const zzRuntime = { alpha: 1 }');
  expect(await matches('zzRun')).toEqual(['zzRuntime']);
  expect(await matches('zzRuntime.al')).toEqual(['alpha']);
  expect(await matches('flow.functionT')).toEqual(['functionTask']);
});

test('completion never runs a getter or a Proxy trap (one that throws, one with a side effect)', async () => {
  const mark = path.join(os.tmpdir(), `flowbook-getter-${process.pid}`);
  const r = await k.execute(
    `const o3 = { get g(): string { require('node:fs').writeFileSync(${JSON.stringify(mark)}, 'ran'); return 's' } };\n` +
      `const o4 = { get bad(): string { throw new Error('getter ran') } };\n` +
      `const p5 = new Proxy({}, { ownKeys() { require('node:fs').writeFileSync(${JSON.stringify(mark)}, 'trap'); return [] } });`,
  );
  expect(r.reply.content.status).toBe('ok');
  expect(await matches('o3.g.toUp')).toEqual(['toUpperCase']); // from g's declared type
  expect(await matches('o4.bad.toLow')).toEqual(['toLowerCase']);
  expect(await matches('o3.')).toContain('g');
  await matches('p5.');
  expect(fs.existsSync(mark)).toBe(false);
});

test('inspect shows signature and JSDoc for user code, the preloaded API and libraries', async () => {
  await k.execute('/** Adds one to its argument. */\nfunction addOne(x: number): number { return x + 1 }');
  const user = await inspect('addOne', 3);
  expect(user.found).toBe(true);
  expect(user.data['text/plain']).toMatch(/function addOne\(x: number\): number[\s\S]*Adds one to its argument/);
  expect((await inspect('flow.functionTask', 8)).data['text/plain']).toMatch(/A function task/);
  expect((await inspect('display.html', 10)).data['text/plain']).toMatch(/html/);
  expect((await inspect('[1].map', 6)).data['text/plain']).toMatch(/Calls a defined callback function/);
  // a Node module's types come with the cell that imports it; an overloaded function shows its first signature's doc
  await k.execute("import * as fsx from 'node:fs'");
  const read = (await inspect('fsx.readFileSync', 8)).data['text/plain'];
  expect(read).toMatch(/function readFileSync\(path: fsx\.PathOrFileDescriptor[\s\S]*\(\+2 overloads\)[\s\S]*Returns the contents of the `path`/);
  expect(read.match(/@since/g)).toHaveLength(1);
});

test('a type error is written to its cell before the reply; no warning on top-level forms the kernel supports', async () => {
  // batch (allow_stdin false: nbclient) waits for the check, so the warning is in the cell's outputs
  const batch = await k.execute('const n: number = "x"');
  expect(stderr(batch.iopub)).toMatch(/type warning: line 1: TS2322: Type 'string' is not assignable to type 'number'/);
  // interactive (allow_stdin): before the reply when the check is done within 50 ms (a warm incremental check
  // usually is); else the reply says it is pending, and the warning still comes to this cell
  const r = await k.execute('const m: number = "y"', { allow_stdin: true });
  const idle = r.iopub.findIndex((m) => m.header.msg_type === 'status' && m.content.execution_state === 'idle');
  if (!stderr(r.iopub.slice(0, idle))) {
    expect(r.reply.content.metadata).toEqual({ typecheck: 'pending' });
    await k.waitIopub(r.id, (ms) => /TS2322/.test(stderr(ms)));
  } else expect(r.reply.content.metadata).toEqual({});
  const forms = await k.execute(
    'await using res = { async [Symbol.asyncDispose]() {} };\nconst v = await Promise.resolve(1);\nlet again = 1;',
  );
  const redeclared = await k.execute('let again = "two";\nconst v = "s";\nagain.length + v.length');
  // Node's global scope without an import: its types come from several @types/node files, all preloaded
  const globals = await k.execute(
    "process.stdout.write(''); process.stdin.isTTY; new URL('http://a').host; new TextEncoder().encode('x');\n" +
      "performance.now(); structuredClone(1); crypto.randomUUID(); require('node:os'); __dirname.length; new MessageChannel();",
  );
  expect(stderr(forms.iopub) + stderr(redeclared.iopub) + stderr(globals.iopub)).toBe('');
  expect(of(redeclared.iopub, 'execute_result')[0].content.data['text/plain']).toBe('4');
});

test('a cell run again gets the same warnings, and new ones once a declaration it uses has changed', async () => {
  const warns = async (code: string) => stderr((await k.execute(code)).iopub); // batch: waits for the check
  await k.execute('let memoName = 1');
  const use = 'memoName.toUpperCase()';
  expect(await warns(use)).toMatch(/TS2339: Property 'toUpperCase' does not exist on type 'number'/);
  expect(await warns(use)).toMatch(/TS2339/); // the same context: the remembered result
  await k.execute('let memoName = "now a string"');
  expect(await warns(use)).toBe('');
  await k.execute('const unrelatedName = 2'); // any declaration may change what a cell means
  expect(await warns('memoName.toFixed(1)')).toMatch(/Property 'toFixed' does not exist on type 'string'/);
});

test('after %reset -f the checker and completion forget the names: a later use is warned about', async () => {
  const warns = async (code: string) => stderr((await k.execute(code)).iopub);
  await k.execute('const resetCount = 3; function resetHelper() { return 1; }');
  const use = 'resetCount + resetHelper()';
  expect(await warns(use)).toBe(''); // checked once: remembered until something changes
  expect(await matches('resetCo')).toContain('resetCount');
  await k.execute('%reset -f');
  const w = await warns(use);
  expect(w).toMatch(/TS2304: Cannot find name 'resetCount'/);
  expect(w).toMatch(/TS2304: Cannot find name 'resetHelper'/);
  expect(await matches('resetCo')).not.toContain('resetCount');
});

test('under FLOWBOOK_TYPECHECK=strict the typed notebook API rejects a wrong return type (TS2322)', async () => {
  const s = new KernelClient();
  await s.start([process.execPath, MAIN, '{connection_file}'], { ...process.env, FLOWBOOK_TYPECHECK: 'strict' });
  try {
    await s.ready();
    const bad = await s.execute('const inc = flow.functionTask(async (x: number) => x + 1);\nconst label: string = await inc(1);');
    expect(bad.reply.content.status).toBe('error');
    expect(bad.reply.content.ename).toBe('TypeScriptError');
    expect(bad.reply.content.evalue).toMatch(/TS2322: Type 'number' is not assignable to type 'string'/);
    const good = await s.execute('const inc2 = flow.functionTask(async (x: number) => x + 1);\nawait inc2(1)');
    expect(of(good.iopub, 'execute_result')[0].content.data['text/plain']).toBe('2');
  } finally {
    await s.close();
  }
}, 60_000);

test('the language worker runs below the thread that runs cells (nice 10 for its thread only)', () => {
  const pid = k.proc.pid!;
  const nice = (tid: string) => Number(fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ')[16]);
  const tids = fs.readdirSync(`/proc/${pid}/task`);
  expect(nice(String(pid))).toBe(0);
  expect(tids.map(nice)).toContain(10);
});
