#!/usr/bin/env node
// `flowbook install [--user | --sys-prefix | --prefix DIR]`: writes the `flowbook` kernelspec via jupyter.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { NODE_FLAGS } from './node-flags';

export function kernelSpec() {
  return {
    argv: [process.execPath, ...NODE_FLAGS, path.resolve(__dirname, 'main.js'), '{connection_file}'],
    display_name: 'TypeScript (flowbook)',
    language: 'typescript',
    interrupt_mode: 'message',
    metadata: { debugger: false },
  };
}

function main(argv: string[]): number {
  const [cmd, ...rest] = argv;
  if (cmd !== 'install') {
    console.error('usage: flowbook install [--user | --sys-prefix | --prefix DIR]');
    return 2;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbook-spec-'));
  const spec = path.join(dir, 'flowbook');
  fs.mkdirSync(spec);
  fs.writeFileSync(path.join(spec, 'kernel.json'), JSON.stringify(kernelSpec(), null, 2) + '\n');
  const flags: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--user' || rest[i] === '--sys-prefix') flags.push(rest[i]);
    else if (rest[i] === '--prefix') flags.push('--prefix', rest[++i]);
    else if (rest[i].startsWith('--prefix=')) flags.push(rest[i]);
    else {
      console.error(`unknown option ${rest[i]}`);
      return 2;
    }
  }
  const jupyter = process.env.JUPYTER ?? 'jupyter';
  const r = spawnSync(jupyter, ['kernelspec', 'install', spec, '--name', 'flowbook', '--replace', ...flags], { stdio: 'inherit' });
  fs.rmSync(dir, { recursive: true, force: true });
  if (r.error) console.error(`could not run ${jupyter}: ${r.error.message}`);
  return r.status ?? 1;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
