// The published package as a consumer gets it: `npm pack`, install the tarball into a fresh TypeScript project,
// compile against its declarations with skipLibCheck off and strict on.
import { afterAll, expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';

const ROOT = path.resolve(__dirname, '../../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbook-pack-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const npm = (args: string[], cwd: string) => {
  const r = spawnSync('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline'], { cwd, encoding: 'utf8', timeout: 240_000 });
  if (r.status !== 0) console.log(r.stdout, r.stderr);
  expect(r.status).toBe(0);
  return r.stdout;
};

test('the tarball holds the built package only, and its types compile in a fresh strict project (no skipLibCheck)', () => {
  const packed = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT))[0];
  const files: string[] = packed.files.map((f: { path: string }) => f.path);
  expect(files.filter((f) => /^(tests|\.ci|dist\/tests|kernel|extension|scripts|notebooks)\//.test(f))).toEqual([]);
  expect(files).toEqual(expect.arrayContaining(['dist/extension/index.d.ts', 'dist/kernel/main.js', 'assets/logo-64x64.png', 'docs/kernel.md']));
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  for (const testOnly of ['@jupyterlab/services', 'uuid', 'execa', 'jest', 'tslab']) expect(pkg.dependencies[testOnly]).toBeUndefined();

  const proj = path.join(dir, 'consumer');
  fs.mkdirSync(proj);
  fs.writeFileSync(path.join(proj, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  fs.writeFileSync(path.join(proj, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'node16', moduleResolution: 'node16', strict: true, noEmit: true, skipLibCheck: false },
    files: ['index.ts'],
  }));
  fs.writeFileSync(path.join(proj, 'index.ts'), [
    "import { WorkflowEngine, TaskFuture, plot, ThreadPoolExecutor, type TaskEvent } from 'flowbook';",
    'export async function main(): Promise<number> {',
    '  const flow = await WorkflowEngine.create();',
    '  const inc = flow.functionTask(async (x: number) => x + 1);',
    '  const f: TaskFuture<number> = inc(1);',
    '  const seen: TaskEvent[] = [];',
    '  void plot; void ThreadPoolExecutor; void seen;',
    '  return await f;',
    '}',
    // and a wrong return type is an error for the consumer as in the notebook (TS2322)
    'export async function wrong(flow: WorkflowEngine): Promise<string> { return await flow.functionTask(async () => 1)(); }',
  ].join('\n'));
  npm(['install', packed.filename.startsWith('/') ? packed.filename : path.join(dir, packed.filename)], proj);
  const tsc = spawnSync(process.execPath, [path.join(proj, 'node_modules/typescript/bin/tsc'), '-p', '.'], { cwd: proj, encoding: 'utf8' });
  const errors = tsc.stdout.trim().split('\n').filter(Boolean);
  expect(errors).toEqual([expect.stringMatching(/^index\.ts\(10,.*TS2322: Type 'number' is not assignable to type 'string'/)]);
}, 300_000);
