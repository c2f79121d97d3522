// Shared by the reliability tests: a seeded PRNG, process-table checks, temp dirs.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export { childPids, pidAlive, waitFor } from '../../unit/procs';

/** mulberry32: small, fast, and the same sequence on every run for a given seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function tempDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `fb-rel-${tag}-`));
}

/** All descendants of `root` (children, grandchildren, ...), zombies excluded. */
export function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (rest[0] !== 'Z') parent.set(Number(d), Number(rest[1]));
    } catch {
      // raced with exit
    }
  }
  const out: number[] = [];
  const frontier = [root];
  while (frontier.length) {
    const p = frontier.pop()!;
    for (const [pid, ppid] of parent) if (ppid === p) (out.push(pid), frontier.push(pid));
  }
  return out;
}

/** Resident set size of a process in MB, from /proc (VmRSS). */
export function rssMB(pid = process.pid): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) / 1024;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
