// nbclient (through `jupyter nbconvert --execute`) runs a notebook on the installed flowbook kernelspec.
import { afterAll, expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { jupyterEnv, PYTHON } from './helpers';

const jenv = jupyterEnv();
afterAll(() => jenv.cleanup());

function execute(fixture: string): any[][] {
  const out = path.join(jenv.dir, `out-${fixture}`);
  const r = spawnSync(PYTHON, ['-Xfrozen_modules=off', '-m', 'nbconvert', '--to', 'notebook', '--execute', '--allow-errors',
    '--ExecutePreprocessor.kernel_name=flowbook', '--ExecutePreprocessor.timeout=60',
    '--output', out, path.join(__dirname, 'fixtures', fixture)], { env: jenv.env, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) console.log(r.stdout, r.stderr);
  expect(r.status).toBe(0);
  const join = (x: any): any => (Array.isArray(x) ? x.join('') : x);
  const joinAll = (o: any): any => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, k === 'data' ? Object.fromEntries(Object.entries(v as object).map(([m, d]) => [m, join(d)])) : join(v)]));
  return JSON.parse(fs.readFileSync(out, 'utf8')).cells.map((c: any) => c.outputs.map(joinAll));
}

test('nbconvert --execute stores a type error in the cell that has it (first cell: the model is still building)', () => {
  const cells = execute('type-error.ipynb');
  const warning = cells[0].find((o) => o.output_type === 'stream');
  expect(warning).toMatchObject({ name: 'stderr' });
  expect(warning.text).toMatch(/type warning: line 1: TS2322: Type 'string' is not assignable to type 'number'/);
  expect(cells[0]).toContainEqual(expect.objectContaining({ output_type: 'execute_result', data: { 'text/plain': "'x'" } }));
  // top-level `await using` and a let redeclared in a later cell: no warnings
  expect(cells[1]).toEqual([]);
  expect(cells[2]).toEqual([expect.objectContaining({ output_type: 'execute_result', data: { 'text/plain': '3' } })]);
});

test('nbconvert --execute: results, display, stream, error cell (allow_errors), top-level await', () => {
  const out = path.join(jenv.dir, 'out.ipynb');
  const r = spawnSync(PYTHON, ['-Xfrozen_modules=off', '-m', 'nbconvert', '--to', 'notebook', '--execute', '--allow-errors',
    '--ExecutePreprocessor.kernel_name=flowbook', '--ExecutePreprocessor.timeout=60',
    '--output', out, path.join(__dirname, 'fixtures/smoke.ipynb')], { env: jenv.env, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) console.log(r.stdout, r.stderr);
  expect(r.status).toBe(0);
  // nbformat may store strings as lists of lines: join them back.
  const join = (x: any): any => (Array.isArray(x) ? x.join('') : x && typeof x === 'object' ? Object.fromEntries(Object.entries(x).map(([k, v]) => [k, join(v)])) : x);
  const cells = JSON.parse(fs.readFileSync(out, 'utf8')).cells.map((c: any) => c.outputs.map((o: any) => ({ ...join(o), traceback: o.traceback })));
  expect(cells[0]).toEqual([expect.objectContaining({ output_type: 'execute_result', data: { 'text/plain': '5' } })]);
  expect(cells[1][0]).toMatchObject({ output_type: 'execute_result', data: { 'text/plain': '42' } });
  expect(cells[2][0]).toMatchObject({ output_type: 'display_data', data: { 'text/html': '<b>shown</b>' } });
  expect(cells[3][0]).toMatchObject({ output_type: 'stream', name: 'stdout', text: 'printed\n' });
  expect(cells[4][0]).toMatchObject({ output_type: 'error', ename: 'Error', evalue: 'expected failure' });
  expect(cells[5][0]).toMatchObject({ output_type: 'execute_result', data: { 'text/plain': "'hello again'" } });
});
