// Kernels measured through jupyter_client (what front ends use): a temp Jupyter environment with one kernelspec
// per kernel, and the Python driver (jupyter_kernels.py) run by Debian's python3 in that environment.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';

const ROOT = path.resolve(__dirname, '../../..');
export const PYTHON = '/usr/bin/python3';
const DRIVER = path.join(ROOT, 'tests/bench/jupyter_kernels.py');
export const DENO = path.join(ROOT, 'node_modules/@deno/linux-x64-glibc/deno');
const TSLAB = path.join(ROOT, 'node_modules/tslab/bin/tslab');

export type PeerName = 'flowbook' | 'deno' | 'tslab' | 'ipykernel';

export interface JupyterPeers {
  env: NodeJS.ProcessEnv;
  /** Kernels whose kernelspec was installed (a missing peer binary is left out, and named in `missing`). */
  names: PeerName[];
  missing: string[];
  cleanup(): void;
}

function writeSpec(kernels: string, name: string, argv: string[], language: string): void {
  fs.mkdirSync(path.join(kernels, name), { recursive: true });
  const spec = { argv, display_name: `${name} (bench)`, language };
  fs.writeFileSync(path.join(kernels, name, 'kernel.json'), JSON.stringify(spec, null, 2) + '\n');
}

/**
 * flowbook's kernelspec comes from its own CLI (as in tests/integration/kernel/helpers.ts), run by `node`: the
 * kernelspec points at the node that installed it. Peers' by hand.
 */
export function jupyterPeers(node = process.execPath): JupyterPeers {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbook-bench-jc-'));
  const prefix = path.join(dir, 'prefix');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    JUPYTER_PATH: path.join(prefix, 'share/jupyter'),
    JUPYTER_RUNTIME_DIR: path.join(dir, 'runtime'),
    JUPYTER_DATA_DIR: path.join(dir, 'data'),
    JUPYTER_CONFIG_DIR: path.join(dir, 'config'),
    IPYTHONDIR: path.join(dir, 'ipython'),
    DENO_DIR: path.join(dir, 'deno'),
    PYDEVD_DISABLE_FILE_VALIDATION: '1',
    FLOWBOOK_LOG: 'off',
  };
  const cli = path.join(ROOT, 'dist/kernel/cli.js');
  const r = spawnSync(node, [cli, 'install', '--prefix', prefix], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`flowbook install failed: ${r.stderr}`);
  const kernels = path.join(prefix, 'share/jupyter/kernels');
  const names: PeerName[] = ['flowbook'];
  const missing: string[] = [];
  if (fs.existsSync(DENO)) {
    writeSpec(kernels, 'deno', [DENO, 'jupyter', '--kernel', '--conn', '{connection_file}'], 'typescript');
    names.push('deno');
  } else missing.push(`deno (${DENO}: run npm ci)`);
  if (fs.existsSync(TSLAB)) {
    writeSpec(kernels, 'tslab', [process.execPath, TSLAB, 'kernel', '--config-path', '{connection_file}'], 'typescript');
    names.push('tslab');
  } else missing.push(`tslab (${TSLAB})`);
  const ipy = [PYTHON, '-Xfrozen_modules=off', '-m', 'ipykernel_launcher', '-f', '{connection_file}'];
  writeSpec(kernels, 'ipykernel', ipy, 'python');
  names.push('ipykernel');
  return { env, names, missing, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Runs the driver with `config` on stdin; its progress goes to our stderr, its JSON result is returned. */
export function runDriver<T>(peers: JupyterPeers, config: unknown): Promise<{ client: string; python: string; kernels: T }> {
  return new Promise((resolve, reject) => {
    const p = spawn(PYTHON, [DRIVER], { env: peers.env, stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('error', reject);
    p.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${DRIVER} exited with ${code}`));
      try {
        resolve(JSON.parse(out));
      } catch (e) {
        reject(new Error(`${DRIVER}: bad output (${(e as Error).message}): ${out.slice(0, 500)}`));
      }
    });
    p.stdin.end(JSON.stringify(config));
  });
}

/** Machine facts printed with every figure: the load is sampled before and after the run. */
export function machine(): { cpus: number; cpu: string; node: string; loadavg: number[] } {
  return { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? '?', node: process.version, loadavg: os.loadavg().map((x) => Number(x.toFixed(2))) };
}

export const fmtLoad = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
