// IPython habits through the kernel: help with `?`, the output history, session magics, rich cell magics and
// one-line errors from magics.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KernelClient, Msg } from '../../bench/kernel-client';
import { MAIN } from './helpers';

const of = (ms: Msg[], t: string) => ms.filter((m) => m.header.msg_type === t);
const stdout = (ms: Msg[]) => of(ms, 'stream').filter((m) => m.content.name === 'stdout').map((m) => m.content.text).join('');
const result = (ms: Msg[]) => of(ms, 'execute_result')[0]?.content.data['text/plain'];
const pager = (r: { reply: Msg }) => (r.reply.content.payload ?? []).filter((p: any) => p.source === 'page').map((p: any) => p.data['text/plain']).join('');
let k: KernelClient;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbook-ipy-'));
const run = (code: string) => k.execute(code, { allow_stdin: true });

beforeAll(async () => {
  k = new KernelClient();
  await k.start([process.execPath, MAIN, '{connection_file}'], { ...process.env, FLOWBOOK_TYPECHECK: 'off' });
  await k.ready();
}, 60_000);
afterAll(async () => {
  await k.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('name? and name?? page the signature and docs; %name? and %%name? page the registry help', async () => {
  const a = await run('flow.functionTask?');
  expect(a.reply.content.status).toBe('ok');
  expect(pager(a)).toMatch(/functionTask<.*TaskCall[\s\S]*A function task/);
  expect(pager(await run('flow.functionTask??'))).toMatch(/functionTask/);
  const flowHelp = pager(await run('%%flow?'));
  expect(flowHelp).toMatch(/^%%flow /);
  expect(flowHelp).toMatch(/--backend/);
  expect(pager(await run('%timeit?'))).toMatch(/^%timeit [\s\S]*-n, --number/);
  // a ternary or ?? continued on the next line is code, not help
  expect(result((await run('const cond = true\nconst v = cond\n  ? 1\n  : 2\nconst w = null\n  ?? v\nw')).iopub)).toBe('1');
  const missing = await run('noSuchThing?');
  expect(missing.reply.content).toMatchObject({ status: 'error', ename: 'UsageError', traceback: ['UsageError: Object `noSuchThing` not found.'] });
});

test('%magic and %quickref show every magic', async () => {
  const m = pager(await run('%magic'));
  for (const name of ['%time', '%%flow', '%history', '%%markdown']) expect(m).toContain(name);
  expect(pager(await run('%quickref'))).toMatch(/_, __, ___/);
});

test('_, __, ___, Out, In and %history', async () => {
  const first = await run('40 + 2');
  const n = first.reply.content.execution_count as number;
  await run('"two"');
  await run('[3]');
  expect(result((await run('[_, __, ___]')).iopub)).toBe("[ [ 3 ], 'two', 42 ]");
  expect(result((await run(`[Out[${n}], In[${n}], _${n}]`)).iopub)).toBe("[ 42, '40 + 2', 42 ]");
  const h = stdout((await run(`%history -n ${n}-${n + 1}`)).iopub);
  expect(h).toBe(`${String(n).padStart(3)}: 40 + 2\n${String(n + 1).padStart(3)}: "two"\n`);
});

test('%pwd, %cd and %run (in the notebook scope)', async () => {
  expect(result((await run('%pwd')).iopub)).toBe(`'${process.cwd()}'`);
  fs.writeFileSync(path.join(dir, 'lib.ts'), 'const fromFile: number = 6 * 7;\nfunction twice(x: number) { return 2 * x }\nconsole.log("ran lib");\n');
  const cd = await run(`%cd ${dir}`);
  expect(stdout(cd.iopub)).toBe(`${fs.realpathSync(dir)}\n`);
  const r = await run('%run lib.ts\ntwice(fromFile)');
  expect(stdout(r.iopub)).toBe('ran lib\n');
  expect(result(r.iopub)).toBe('84');
  await run('%cd -');
  expect(result((await run('%pwd')).iopub)).toBe(`'${process.cwd()}'`);
});

test('%whos lists names with type and data; %reset -f forgets them', async () => {
  await run('const whosNum = 3; let whosList = [1, 2]');
  const w = stdout((await run('%whos')).iopub);
  expect(w).toMatch(/^Variable\s+Type\s+Data\/Info\n-+\n/);
  expect(w).toMatch(/whosNum\s+number\s+3\n/);
  expect(w).toMatch(/whosList\s+Array\s+length 2: \[ 1, 2 \]/);
  await run('%reset -f');
  expect(result((await run('[typeof whosNum, Object.keys(Out).length]')).iopub)).toBe("[ 'undefined', 0 ]");
  // %whos no longer lists them (a script-scope binding cannot be deleted: it is emptied and hidden) ...
  expect(stdout((await run('%whos')).iopub)).not.toMatch(/whos(Num|List)/);
  // ... until a cell gives one a value again.
  await run('whosList = [3]');
  expect(stdout((await run('%whos')).iopub)).toMatch(/whosList\s+Array/);
});

test('%%markdown, %%latex, %%javascript display their body', async () => {
  const bundle = async (code: string) => of((await run(code)).iopub, 'display_data')[0].content.data;
  expect(await bundle('%%markdown\n# Title')).toMatchObject({ 'text/markdown': '# Title' });
  expect(await bundle('%%latex\n$x^2$')).toMatchObject({ 'text/latex': '$x^2$' });
  expect(await bundle('%%javascript\nconsole.log(1)')).toMatchObject({ 'application/javascript': 'console.log(1)' });
});

test('magics fail with one line, as IPython prints them; page() as a last expression has no Out', async () => {
  expect((await run('%nosuch')).reply.content.traceback).toEqual(['UsageError: Line magic function `%nosuch` not found.']);
  expect((await run('!exit 3')).reply.content.traceback).toEqual(["CalledProcessError: Command 'exit 3' returned non-zero exit status 3."]);
  const p = await run('page("some help text")');
  expect(pager(p)).toMatch(/some help text/);
  expect(of(p.iopub, 'execute_result')).toEqual([]);
});

test("kernel_info's help_links include the package's own docs (installed files that exist)", async () => {
  const links = (await k.request('kernel_info_request', {})).reply.content.help_links as { text: string; url: string }[];
  const docs = links.filter((l) => l.url.startsWith('file:'));
  expect(docs.map((l) => path.basename(l.url))).toEqual(['kernel.md', 'engine.md', 'magics.md']);
  for (const l of docs) expect(fs.existsSync(new URL(l.url))).toBe(true);
});

test('traceback line and column point into the cell: last expression, TS-only syntax, a multi-line call', async () => {
  const frame = async (code: string) => ((await run(code)).reply.content.traceback as string[]).find((l) => /line \d+, column \d+/.test(l));
  // each column is where V8 puts the failing property read (the property name), in the cell as typed
  expect(await frame('const u1 = undefined\nu1.boom')).toMatch(/line 2, column 4$/);
  expect(await frame('const u2 = undefined; let k = 1; k = u2.boom')).toMatch(/line 1, column 41$/);
  expect(await frame('null!.x')).toMatch(/line 1, column 7$/);
  expect(await frame('const w = (x: number): number => x\nconst v: any = null\nw(1) + v.q')).toMatch(/line 3, column 10$/);
  expect(await frame('function g(a: number, b: number) { return a + b }\nconst z: any = undefined\ng(\n  1,\n  z.y)')).toMatch(/line 5, column 5$/);
});
