// `flowbook install --prefix DIR` writes a kernelspec that `jupyter kernelspec list` shows.
import { afterAll, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KERNEL_ENV } from '../../../kernel/node-flags';
import { jupyterEnv, MAIN, KERNEL_ARGV, ROOT } from './helpers';

const jenv = jupyterEnv(); // runs dist/kernel/cli.js install --prefix <tmp>
afterAll(() => jenv.cleanup());

test('jupyter kernelspec list shows flowbook with our argv, env and interrupt_mode', () => {
  const r = spawnSync('jupyter', ['kernelspec', 'list', '--json'], { env: jenv.env, encoding: 'utf8' });
  expect(r.status).toBe(0);
  const spec = JSON.parse(r.stdout).kernelspecs.flowbook.spec;
  expect(spec).toMatchObject({
    argv: KERNEL_ARGV,
    env: KERNEL_ENV,
    display_name: 'TypeScript (flowbook)',
    language: 'typescript',
    interrupt_mode: 'message',
  });
});

const cli = (args: string[], env = jenv.env) => spawnSync(process.execPath, [path.join(ROOT, 'dist/kernel/cli.js'), ...args], { env, encoding: 'utf8', cwd: jenv.dir });

test('--help exits 0; a missing --prefix value or an unknown option exits 2 and installs nothing', () => {
  const help = cli(['--help']);
  expect(help.status).toBe(0);
  expect(help.stdout).toMatch(/^usage: flowbook install .*--name NAME.*--display-name TEXT/);
  for (const bad of [['install', '--prefix'], ['install', '--bogus'], [], ['install', '--name', 'no/slash']]) {
    const r = cli(bad);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/flowbook: error: /);
  }
  expect(fs.existsSync(path.join(jenv.dir, 'undefined'))).toBe(false);
});

test('--name and --display-name; the kernelspec has both logos (real PNGs)', () => {
  const prefix = path.join(jenv.dir, 'named');
  expect(cli(['install', '--prefix', prefix, '--name', 'flowbook-test', '--display-name', 'TS (test)']).status).toBe(0);
  const r = spawnSync('jupyter', ['kernelspec', 'list', '--json'], { env: { ...jenv.env, JUPYTER_PATH: path.join(prefix, 'share/jupyter') }, encoding: 'utf8' });
  const spec = JSON.parse(r.stdout).kernelspecs['flowbook-test'];
  expect(spec.spec.display_name).toBe('TS (test)');
  for (const size of [32, 64]) {
    const png = fs.readFileSync(path.join(spec.resource_dir, `logo-${size}x${size}.png`));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([size, size]);
  }
});
