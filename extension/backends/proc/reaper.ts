/**
 * The reaper: a tiny process that outlives this one just long enough to kill the process groups of its
 * children. setpriv's parent-death signal (spawn.ts) ends a direct child, but not what that child started: a
 * `sh -c 'sleep 300'` forks the sleep, which then ran on with ppid 1 after the kernel was SIGKILLed. It waits
 * for EOF on a pipe from us (we died, however), then SIGKILLs every group still registered and exits. It is awk
 * (about 1 MB; a node reaper took 30 MB, and jest starts one per test file), in its own group, ignoring the
 * terminal's signals so a Ctrl-C to the kernel's group cannot take it first. `flowbook-reaper` in its argv lets
 * tests tell it from task processes.
 *
 * Groups are registered in a table, an unlinked file it inherits as fd 3 and reads only at the end: one
 * fixed-size record per group, pwritten in place. A "+pgid"/"-pgid" line per spawn and exit on the pipe woke
 * the reaper twice per task, and the wakeup preempted us: 38 µs per write (median, 2-core box), 8-10% of an
 * exec-mode `true`. The pipe carries lines only when no table could be made.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Socket } from 'node:net';

export const REAPER_TAG = 'flowbook-reaper';
const KILL = 'system("/bin/kill -KILL -- -" p " 2>/dev/null")';
const AWK = '{ op = substr($0, 1, 1); p = substr($0, 2); if (op == "+") g[p] = 1; else delete g[p] }' +
  ` END { while ((getline p < "/dev/fd/3") > 0) if (p ~ /^ *[0-9]+$/) { sub(/^ +/, "", p); ${KILL} } for (p in g) ${KILL} }`;
const SCRIPT = `trap '' INT TERM HUP QUIT; exec awk -v tag=${REAPER_TAG} '${AWK}'`;

/** A record: the pgid right-aligned in 11 columns and a newline; blank when the slot is free. */
const REC = 12;
const BLANK = Buffer.from(' '.repeat(REC - 1) + '\n', 'latin1');

let reaper: ChildProcess | null | undefined;
let table: number | null = null;
/** pgid → its slot and how many guards hold it (a pid freed before its child's 'close' may come back). */
const slotOf = new Map<number, { slot: number; refs: number }>();
const freeSlots: number[] = [];
const rec = Buffer.alloc(REC);

/** The table's fd, its file already unlinked (nothing to clean up); null when none can be made. */
function openTable(): number | null {
  const file = path.join(os.tmpdir(), `${REAPER_TAG}-${process.pid}-${Math.random().toString(36).slice(2)}`);
  try {
    const fd = fs.openSync(file, 'wx+', 0o600);
    fs.unlinkSync(file);
    return fd;
  } catch {
    return null;
  }
}

function get(): ChildProcess | null {
  if (reaper !== undefined) return reaper;
  reaper = null;
  if (process.platform === 'win32' || !fs.existsSync('/bin/kill')) return reaper;
  table = openTable();
  try {
    const stdio: Array<'pipe' | 'ignore' | number> = ['pipe', 'ignore', 'ignore'];
    if (table !== null) stdio.push(table);
    const child = spawn('/bin/sh', ['-c', SCRIPT], { detached: true, stdio });
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
  if (pgid === undefined || get() === null) return;
  if (table === null) return void reaper!.stdin?.write(`+${pgid}\n`);
  const held = slotOf.get(pgid);
  if (held) return void held.refs++;
  const slot = freeSlots.pop() ?? slotOf.size;
  rec.write(String(pgid).padStart(REC - 1) + '\n', 'latin1');
  fs.writeSync(table, rec, 0, REC, slot * REC);
  slotOf.set(pgid, { slot, refs: 1 });
}

export function releaseGroup(pgid: number | undefined): void {
  if (pgid === undefined || !reaper) return;
  if (table === null) return void reaper.stdin?.write(`-${pgid}\n`);
  const held = slotOf.get(pgid);
  if (!held || --held.refs > 0) return;
  slotOf.delete(pgid);
  fs.writeSync(table, BLANK, 0, REC, held.slot * REC);
  freeSlots.push(held.slot);
}

/** The reaper's pid, if one runs (it is a child of ours that outlives the tasks: tests leave it out). */
export function reaperPid(): number | undefined {
  return reaper?.pid;
}
