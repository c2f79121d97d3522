// Raw zeromq client against the compiled kernel: message order and parents, REPL semantics, output routing of
// late output, interrupts. (Real Jupyter clients are tested in the other files of this folder.)
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { KernelClient, Msg } from '../../bench/kernel-client';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MAIN, KERNEL_ARGV } from './helpers';

const MARKER = path.join(os.tmpdir(), `flowbook-spin-${process.pid}`);

const types = (ms: Msg[]) => ms.map((m) => m.header.msg_type);
const of = (ms: Msg[], t: string) => ms.filter((m) => m.header.msg_type === t);
let k: KernelClient;

beforeAll(async () => {
  k = new KernelClient();
  await k.start(KERNEL_ARGV);
  await k.ready();
});
afterAll(async () => {
  if (process.env.FLOWBOOK_TEST_DEBUG) console.log(k.stderr);
  fs.rmSync(MARKER, { force: true });
  await k.close();
});

describe('execute', () => {
  test('busy, execute_input, stream, execute_result, idle: all parented to the request; count increments', async () => {
    const a = await k.execute('console.log("out"); process.stdout.write("raw\\n"); 40 + 2');
    // stream text is merged for 20 ms on the iopub thread; under load it may come as two messages
    const merged = types(a.iopub).filter((t, i, all) => t !== 'stream' || all[i - 1] !== 'stream');
    expect(merged).toEqual(['status', 'execute_input', 'stream', 'execute_result', 'status']);
    for (const m of a.iopub) expect(m.parent_header.msg_id).toBe(a.id);
    expect(of(a.iopub, 'stream').map((m) => m.content.text).join('')).toBe('out\nraw\n');
    expect(of(a.iopub, 'stream')[0].content.name).toBe('stdout');
    expect(of(a.iopub, 'execute_result')[0].content.data['text/plain']).toBe('42');
    expect(a.reply.content.status).toBe('ok');
    const b = await k.execute('1');
    expect(b.reply.content.execution_count).toBe(a.reply.content.execution_count + 1);
  });

  test('declarations persist, const may be redeclared, imports become require, TS types are erased', async () => {
    await k.execute('const x: number = 1\nclass Box { constructor(public v: number) {} }\nfunction twice(n: number) { return 2 * n }');
    await k.execute('const x = 5');
    const r = await k.execute('import { basename } from "node:path"\nimport * as os from "node:os"\ntwice(x) + new Box(1).v + basename("/a/b.ts").length + (typeof os.cpus)');
    expect(r.reply.content.status).toBe('ok');
    expect(of(r.iopub, 'execute_result')[0].content.data['text/plain']).toBe("'15function'");
  });

  test('top-level await and user_expressions', async () => {
    const r = await k.execute('const later = await new Promise<number>((ok) => setTimeout(() => ok(7), 20)); later', { user_expressions: { a: 'later * 2', b: 'nope.nope' } });
    expect(of(r.iopub, 'execute_result')[0].content.data['text/plain']).toBe('7');
    expect(r.reply.content.user_expressions.a).toMatchObject({ status: 'ok', data: { 'text/plain': '14' } });
    expect(r.reply.content.user_expressions.b.status).toBe('error');
  });

  test('errors map to cell lines; syntax errors give line and column; non-Error throws', async () => {
    const e = await k.execute('const ok = 1\n\nthrow new TypeError("bad")');
    expect(e.reply.content).toMatchObject({ status: 'error', ename: 'TypeError', evalue: 'bad' });
    expect(e.reply.content.traceback.join('\n')).toMatch(/cell-\d+, line 3/);
    const s = await k.execute('let a = 1\nlet b = ;');
    expect(s.reply.content.ename).toBe('SyntaxError');
    expect(s.reply.content.evalue).toMatch(/line 2, column 9/);
    const n = await k.execute('throw 42');
    expect(of(n.iopub, 'error')[0].content).toMatchObject({ ename: 'Thrown number', evalue: '42' });
    const o = await k.execute('await Promise.reject({ code: 3 })');
    expect(o.reply.content.evalue).toMatch(/code: 3/);
  });

  test('stop_on_error aborts requests queued behind the error', async () => {
    const sends = ['throw new Error("first")', '1', '2'].map((code) => k.execute(code));
    const [a, b, c] = await Promise.all(sends);
    expect(a.reply.content.status).toBe('error');
    expect(b.reply.content.status).toBe('aborted');
    expect(c.reply.content.status).toBe('aborted');
    expect((await k.execute('3')).reply.content.status).toBe('ok');
  });

  test('display with id, update, clear_output, rich bundles', async () => {
    const r = await k.execute('display({ n: 1 }, { id: "d1" }); display.update("d1", "two"); display.clear(true); display.markdown("*m*")');
    const [d, u] = [of(r.iopub, 'display_data')[0], of(r.iopub, 'update_display_data')[0]];
    expect(d.content.transient).toEqual({ display_id: 'd1' });
    expect(u.content).toMatchObject({ data: { 'text/plain': "'two'" }, transient: { display_id: 'd1' } });
    expect(of(r.iopub, 'clear_output')[0].content).toEqual({ wait: true });
    expect(of(r.iopub, 'display_data')[1].content.data['text/markdown']).toBe('*m*');
  });
});

describe('output routing', () => {
  test("a timer's late output goes to the cell that started it, not the running one", async () => {
    const a = await k.execute('setTimeout(() => console.log("late-from-A"), 150); "A done"');
    const b = k.execute('await new Promise((r) => setTimeout(r, 400)); "B done"');
    const late = await k.waitIopub(a.id, (ms) => of(ms, 'stream').length > 0);
    expect(of(late, 'stream')[0].content.text).toBe('late-from-A\n');
    const rb = await b;
    expect(of(rb.iopub, 'stream')).toEqual([]);
  });

  test('background rejections and throws are errors on the cell that caused them; the kernel survives', async () => {
    const a = await k.execute('setTimeout(() => { Promise.reject(new Error("bg-reject")) }, 20); setTimeout(() => { throw new Error("bg-throw") }, 40); 1');
    const errs = await k.waitIopub(a.id, (ms) => of(ms, 'error').length >= 2);
    expect(of(errs, 'error').map((m) => m.content.evalue).sort()).toEqual(['bg-reject', 'bg-throw']);
    expect((await k.execute('"alive"')).reply.content.status).toBe('ok');
    expect(k.alive()).toBe(true);
  });
});

describe('interrupt', () => {
  async function interrupted(code: string, how: 'message' | 'signal') {
    const exec = k.execute(code);
    // the cell is running once its execute_input is out
    const id = await new Promise<string>((resolve) => {
      const t = setInterval(() => {
        for (const [pid, ms] of k.byParent) if (ms.some((m) => m.header.msg_type === 'execute_input' && m.content.code === code)) {
          clearInterval(t);
          resolve(pid);
        }
      }, 5);
    });
    await k.waitIopub(id, (ms) => ms.length >= 2);
    // An external SIGINT is sent once the cell is spinning (it wrote the marker file).
    if (how === 'signal') while (!fs.existsSync(MARKER)) await new Promise((r) => setTimeout(r, 5));
    if (how === 'message') {
      // answered by the control thread, with busy/idle on iopub like any request, while the cell still runs
      const r = await k.request('interrupt_request', {}, 'control');
      expect(r.reply.content.status).toBe('ok');
      expect(r.iopub.map((m) => m.content.execution_state)).toEqual(['busy', 'idle']);
    } else k.proc.kill('SIGINT');
    return exec;
  }

  test.each([
    ['synchronous while (true)', 'let spins = 1; while (true) {}', 'message'],
    ['while (true) after an await', 'await new Promise((r) => setTimeout(r, 20)); while (true) {}', 'message'],
    ['a promise that never settles', 'await new Promise(() => {})', 'message'],
    ['SIGINT from outside', `require("node:fs").writeFileSync(${JSON.stringify(MARKER)}, "x"); while (true) {}`, 'signal'],
  ] as const)('%s', async (_name, code, how) => {
    const r = await interrupted(code, how);
    expect(r.reply.content).toMatchObject({ status: 'error', ename: 'KeyboardInterrupt' });
    const next = await k.execute('typeof twice');
    expect(of(next.iopub, 'execute_result')[0].content.data['text/plain']).toBe("'function'");
    expect(k.alive()).toBe(true);
  });
});
