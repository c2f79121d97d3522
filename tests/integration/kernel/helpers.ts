// Shared setup for the kernel's integration tests: a temp Jupyter environment with the flowbook kernelspec
// installed by our own CLI (so the install path is tested too), and nothing written under $HOME.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { NODE_FLAGS } from '../../../kernel/node-flags';

export const ROOT = path.resolve(__dirname, '../../..');
export const MAIN = path.join(ROOT, 'dist/kernel/main.js');
export const PYTHON = '/usr/bin/python3';
/** The kernel as its kernelspec starts it, on the Node that runs the tests (Node 22 needs a flag). */
export const KERNEL_ARGV = [process.execPath, ...NODE_FLAGS, MAIN, '{connection_file}'];

export interface JupyterEnv {
  dir: string;
  env: NodeJS.ProcessEnv;
  cleanup(): void;
}

export function jupyterEnv(): JupyterEnv {
  if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} missing: run npm run build first`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbook-kt-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    JUPYTER_RUNTIME_DIR: path.join(dir, 'runtime'),
    JUPYTER_DATA_DIR: path.join(dir, 'data'),
    JUPYTER_CONFIG_DIR: path.join(dir, 'config'),
    IPYTHONDIR: path.join(dir, 'ipython'),
    JUPYTER_PATH: path.join(dir, 'prefix/share/jupyter'),
    PYDEVD_DISABLE_FILE_VALIDATION: '1',
    FLOWBOOK_LOG: process.env.FLOWBOOK_LOG ?? 'on',
  };
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/kernel/cli.js'), 'install', '--prefix', path.join(dir, 'prefix')], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`flowbook install failed: ${r.stderr}`);
  return { dir, env, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Runs one of this folder's jupyter_client scripts against the installed kernelspec; returns the JSON of its
 * last stdout line (the script's verdict). Prints the output when the script fails.
 */
export function pythonClient(jenv: JupyterEnv, script: string): any {
  const r = spawnSync(PYTHON, ['-Xfrozen_modules=off', script], { cwd: __dirname, env: jenv.env, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) {
    console.log(r.stdout, r.stderr);
    throw new Error(`${script} exited with ${r.status ?? r.signal}`);
  }
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}
