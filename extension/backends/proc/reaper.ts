/**
 * The reaper: a small node process that outlives this one just long enough to kill the process groups of its
 * children. setpriv's parent-death signal (spawn.ts) ends a direct child, but not what that child started: a
 * `sh -c 'sleep 300'` forks the sleep, which then ran on with ppid 1 after the kernel was SIGKILLed. The reaper
 * reads "+pgid" / "-pgid" lines on a pipe from us; when the pipe closes (we died, however), it SIGKILLs every
 * group still registered and exits. It ignores the terminal's signals so that a Ctrl-C to the kernel's group
 * cannot take it first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';

const SOURCE = `
const groups = new Set(); let buf = '';
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT']) process.on(s, () => {});
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => {
  buf += d; let i;
  while ((i = buf.indexOf('\\n')) >= 0) {
    const line = buf.slice(0, i); buf = buf.slice(i + 1);
    const pid = Number(line.slice(1));
    if (line[0] === '+') groups.add(pid); else groups.delete(pid);
  }
});
process.stdin.on('end', () => {
  for (const g of groups) { try { process.kill(-g, 'SIGKILL'); } catch {} }
  process.exit(0);
});`;

let reaper: ChildProcess | null | undefined;

function get(): ChildProcess | null {
  if (reaper !== undefined) return reaper;
  try {
    reaper = spawn(process.execPath, ['--max-old-space-size=16', '-e', SOURCE], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
      env: {},
    });
    reaper.on('error', () => (reaper = null));
    reaper.unref();
    (reaper.stdin as Socket).unref();
    reaper.stdin!.on('error', () => (reaper = null));
  } catch {
    reaper = null;
  }
  return reaper;
}

/** Kills group `pgid` if this process dies before `release(pgid)`. */
export function guardGroup(pgid: number | undefined): void {
  if (pgid !== undefined) get()?.stdin?.write(`+${pgid}\n`);
}

export function releaseGroup(pgid: number | undefined): void {
  if (pgid !== undefined && reaper) reaper.stdin?.write(`-${pgid}\n`);
}
