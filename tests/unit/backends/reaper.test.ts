// The reaper (proc/reaper.ts) kills the groups still registered when their parent dies, and only those: a
// released group's leftovers run on. Both transports: the group table (fd 3) and the pipe lines it falls back
// to when no table can be made (TMPDIR missing). The parent is a plain node process on the built dist/.
import { describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { waitFor } from '../../support/procs';

const SPAWN = path.resolve(__dirname, '../../../dist/extension/backends/proc/spawn.js');
const REAPER = path.resolve(__dirname, '../../../dist/extension/backends/proc/reaper.js');

/** Pids whose command line is exactly `sleep <arg>`. */
function sleeps(arg: string): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (fs.readFileSync(`/proc/${d}/cmdline`, 'utf8') === `sleep\0${arg}\0` && !/\) Z /.test(fs.readFileSync(`/proc/${d}/stat`, 'utf8'))) out.push(Number(d));
    } catch {
      // raced with exit
    }
  }
  return out;
}

describe.each([['the group table', {}], ['pipe lines (no table)', { TMPDIR: '/nonexistent-flowbook' }]])('reaper, %s', (_how, env) => {
  test('kills the registered groups when the parent is SIGKILLed; a released group is left alone', async () => {
    const tag = `${4000 + (process.pid % 1000)}${Object.keys(env).length}`;
    const [left, killed1, killed2] = [`${tag}1`, `${tag}2`, `${tag}3`];
    // One group exits at once (released, its background sleep stays), then two run with a grandchild each.
    const script = `
      const { spawnTied } = require(${JSON.stringify(SPAWN)});
      const { reaperPid } = require(${JSON.stringify(REAPER)});
      const run = (s) => spawnTied('/bin/sh', ['-c', s], { detached: true, stdio: 'ignore' });
      run('sleep ${left} & exit 0').on('close', () => {
        run('sleep ${killed1} & wait');
        run('sleep ${killed2} & wait');
        console.log('ready ' + reaperPid());
      });
      setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['-e', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const reaper = await new Promise<string>((res) => parent.stdout.on('data', (d) => /ready (\d+)/.test(String(d)) && res(RegExp.$1)));
      // The table is an unlinked file the reaper holds as fd 3; without one, fd 3 is not open.
      const fd3 = fs.existsSync(`/proc/${reaper}/fd/3`) ? fs.readlinkSync(`/proc/${reaper}/fd/3`) : null;
      if ('TMPDIR' in env) expect(fd3).toBeNull();
      else expect(fd3).toMatch(/flowbook-reaper-.*\(deleted\)$/);
      await waitFor(() => [left, killed1, killed2].every((a) => sleeps(a).length === 1), 'the three sleeps', 10_000);
      const leftPid = sleeps(left)[0];
      parent.kill('SIGKILL');
      await waitFor(() => sleeps(killed1).length + sleeps(killed2).length === 0, 'the registered groups to die', 10_000);
      await new Promise((r) => setTimeout(r, 300));
      expect(sleeps(left)).toEqual([leftPid]);
    } finally {
      parent.kill('SIGKILL');
      for (const a of [left, killed1, killed2]) for (const p of sleeps(a)) process.kill(p, 'SIGKILL');
    }
  }, 30_000);
});
