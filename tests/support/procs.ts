// Process helpers for tests: is a pid alive, which processes are children of this one.
import * as fs from 'node:fs';
import { REAPER_TAG } from '../../extension/backends/proc/reaper';

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers kill(0); it is dead for our purposes.
  try {
    return !/\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** A flowbook reaper (proc/reaper.ts): a child that stays for the life of its parent. */
function isReaper(pid: string): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(REAPER_TAG);
  } catch {
    return false;
  }
}

/** Live (non-zombie) direct children of this process, except reapers. */
export function childPids(): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(rest[1]) === process.pid && rest[0] !== 'Z' && !isReaper(d)) out.push(Number(d));
    } catch {
      // raced with exit
    }
  }
  return out;
}

export async function waitFor(cond: () => boolean, what: string, ms = 20000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
