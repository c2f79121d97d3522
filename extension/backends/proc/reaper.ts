/**
 * The reaper: a tiny process that outlives this one just long enough to kill the process groups of its
 * children. setpriv's parent-death signal (spawn.ts) ends a direct child, but not what that child started: a
 * `sh -c 'sleep 300'` forks the sleep, which then ran on with ppid 1 after the kernel was SIGKILLed. The reaper
 * reads "+pgid" / "-pgid" lines on a pipe from us; when the pipe closes (we died, however), it SIGKILLs every
 * group still registered and exits. It is awk (about 1 MB; a node reaper took 30 MB, and jest starts one per
 * test file), in its own group, ignoring the terminal's signals so a Ctrl-C to the kernel's group cannot take it
 * first. `flowbook-reaper` in its argv lets tests tell it from task processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import type { Socket } from 'node:net';

export const REAPER_TAG = 'flowbook-reaper';
const AWK = '{ op = substr($0, 1, 1); p = substr($0, 2); if (op == "+") g[p] = 1; else delete g[p] }' +
  ' END { for (p in g) system("/bin/kill -KILL -- -" p " 2>/dev/null") }';
const SCRIPT = `trap '' INT TERM HUP QUIT; exec awk -v tag=${REAPER_TAG} '${AWK}'`;

let reaper: ChildProcess | null | undefined;

function get(): ChildProcess | null {
  if (reaper !== undefined) return reaper;
  reaper = null;
  if (process.platform === 'win32' || !fs.existsSync('/bin/kill')) return reaper;
  try {
    const child = spawn('/bin/sh', ['-c', SCRIPT], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    child.on('error', () => (reaper = null));
    child.unref();
    (child.stdin as Socket).unref();
    child.stdin!.on('error', () => (reaper = null));
    reaper = child;
  } catch {
    reaper = null;
  }
  return reaper;
}

/** True when a reaper runs (or could be started): it alone then ties a detached child to us. */
export function haveReaper(): boolean {
  return get() !== null;
}

/** Kills group `pgid` if this process dies before `release(pgid)`. */
export function guardGroup(pgid: number | undefined): void {
  if (pgid !== undefined) get()?.stdin?.write(`+${pgid}\n`);
}

export function releaseGroup(pgid: number | undefined): void {
  if (pgid !== undefined && reaper) reaper.stdin?.write(`-${pgid}\n`);
}

/** The reaper's pid, if one runs (it is a child of ours that outlives the tasks: tests leave it out). */
export function reaperPid(): number | undefined {
  return reaper?.pid;
}
