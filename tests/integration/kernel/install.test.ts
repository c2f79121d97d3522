// `flowbook install --prefix DIR` writes a kernelspec that `jupyter kernelspec list` shows.
import { afterAll, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { jupyterEnv, MAIN, KERNEL_ARGV } from './helpers';

const jenv = jupyterEnv(); // runs dist/kernel/cli.js install --prefix <tmp>
afterAll(() => jenv.cleanup());

test('jupyter kernelspec list shows flowbook with our argv and interrupt_mode', () => {
  const r = spawnSync('jupyter', ['kernelspec', 'list', '--json'], { env: jenv.env, encoding: 'utf8' });
  expect(r.status).toBe(0);
  const spec = JSON.parse(r.stdout).kernelspecs.flowbook.spec;
  expect(spec).toMatchObject({
    argv: KERNEL_ARGV,
    display_name: 'TypeScript (flowbook)',
    language: 'typescript',
    interrupt_mode: 'message',
  });
});
