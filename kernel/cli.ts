#!/usr/bin/env node
// `flowbook install [--user | --sys-prefix | --prefix DIR] [--name NAME] [--display-name TEXT]`: writes the
// kernelspec (kernel.json and the logos) through `jupyter kernelspec install`.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { KERNEL_ENV, NODE_FLAGS } from './node-flags';

const USAGE = `usage: flowbook install [--user | --sys-prefix | --prefix DIR] [--name NAME] [--display-name TEXT]

Installs the flowbook Jupyter kernelspec (through \`jupyter kernelspec install\`).

options:
  --user               install for the current user (default: where jupyter installs system-wide)
  --sys-prefix         install into sys.prefix (e.g. a virtualenv)
  --prefix DIR         install into DIR/share/jupyter/kernels
  --name NAME          the kernelspec's name (default: flowbook)
  --display-name TEXT  the name shown in Jupyter (default: TypeScript (flowbook))
  -h, --help           show this help
`;

const ASSETS = path.resolve(__dirname, '../../assets');

export function kernelSpec(displayName = 'TypeScript (flowbook)') {
  return {
    argv: [process.execPath, ...NODE_FLAGS, path.resolve(__dirname, 'main.js'), '{connection_file}'],
    env: KERNEL_ENV,
    display_name: displayName,
    language: 'typescript',
    interrupt_mode: 'message',
    metadata: { debugger: false },
  };
}

class CliError extends Error {}

function options(argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        user: { type: 'boolean' },
        'sys-prefix': { type: 'boolean' },
        prefix: { type: 'string' },
        name: { type: 'string' },
        'display-name': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  const { values: v, positionals } = parsed;
  if (v.help) return { help: true as const };
  if (positionals[0] !== 'install' || positionals.length > 1) throw new CliError(positionals.length ? `unknown command ${positionals.join(' ')}` : 'missing command');
  const where = [v.user, v['sys-prefix'], v.prefix !== undefined].filter(Boolean).length;
  if (where > 1) throw new CliError('give at most one of --user, --sys-prefix, --prefix');
  if (v.prefix !== undefined && !v.prefix.trim()) throw new CliError('--prefix: empty directory name');
  if (v.prefix && fs.statSync(v.prefix, { throwIfNoEntry: false })?.isDirectory() === false) throw new CliError(`--prefix: not a directory: ${v.prefix}`);
  const name = v.name ?? 'flowbook';
  // jupyter's rule for kernel names
  if (!/^[a-z0-9._-]+$/i.test(name)) throw new CliError(`--name: a kernel name has only letters, digits, '.', '_' and '-': ${name}`);
  if (v['display-name'] !== undefined && !v['display-name'].trim()) throw new CliError('--display-name: empty');
  return { help: false as const, name, displayName: v['display-name'], user: !!v.user, sysPrefix: !!v['sys-prefix'], prefix: v.prefix };
}

function main(argv: string[]): number {
  let o: ReturnType<typeof options>;
  try {
    o = options(argv);
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    process.stderr.write(`${USAGE.split('\n')[0]}\nflowbook: error: ${e.message}\n`);
    return 2;
  }
  if (o.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbook-spec-'));
  try {
    const spec = path.join(dir, o.name);
    fs.mkdirSync(spec);
    fs.writeFileSync(path.join(spec, 'kernel.json'), JSON.stringify(kernelSpec(o.displayName), null, 2) + '\n');
    for (const logo of ['logo-32x32.png', 'logo-64x64.png']) {
      if (fs.existsSync(path.join(ASSETS, logo))) fs.copyFileSync(path.join(ASSETS, logo), path.join(spec, logo));
    }
    const flags = o.user ? ['--user'] : o.sysPrefix ? ['--sys-prefix'] : o.prefix ? ['--prefix', o.prefix] : [];
    const jupyter = process.env.JUPYTER ?? 'jupyter';
    const r = spawnSync(jupyter, ['kernelspec', 'install', spec, '--name', o.name, '--replace', ...flags], { stdio: 'inherit' });
    if (r.error) console.error(`flowbook: could not run ${jupyter}: ${r.error.message}`);
    return r.status ?? 1;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
