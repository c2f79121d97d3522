// Shared by the reliability tests: a seeded PRNG, process-table checks, temp dirs, kernel sessions.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KernelClient, type Msg } from '../../bench/kernel-client';
import { MAIN, KERNEL_ARGV } from '../kernel/helpers';

export { childPids, pidAlive, waitFor } from '../../support/procs';

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

/** pid and args of every process whose command line contains `tag`, from ps. */
export function ps(tag: string): Array<{ pid: number; ppid: number; args: string }> {
  const out = execFileSync('ps', ['-eo', 'pid=,ppid=,stat=,args='], { encoding: 'utf8' });
  return out.split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => f.length > 3 && !f[2].startsWith('Z'))
    .map((f) => ({ pid: Number(f[0]), ppid: Number(f[1]), args: f.slice(3).join(' ') })).filter((p) => p.args.includes(tag));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU time (utime + stime) of a process in ms, from /proc (10 ms resolution). */
export function cpuMs(pid: number): number {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

/** Resolves once the process has been on a core for most of `windowMs` (user code spinning), at most `maxMs`. */
export async function untilSpinning(pid: number, windowMs = 200, maxMs = 20_000): Promise<void> {
  const end = Date.now() + maxMs;
  while (Date.now() < end) {
    const before = cpuMs(pid);
    await sleep(windowMs);
    if (cpuMs(pid) - before >= windowMs * 0.5) return;
  }
}

// ---- kernel sessions (through the kernel engineer's raw zeromq client) ----

export type { Msg };

/** A kernel on fresh ports with its own connection file; fails clearly when the kernel is not built. */
export async function startKernel(env: NodeJS.ProcessEnv = {}): Promise<KernelClient> {
  if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: build the kernel first (npm run build)`);
  const k = new KernelClient();
  await k.start(KERNEL_ARGV, { ...process.env, FLOWBOOK_LOG: process.env.FLOWBOOK_LOG ?? 'on', ...env });
  await k.ready();
  return k;
}

export const ofType = (ms: Msg[], t: string): Msg[] => ms.filter((m) => m.header.msg_type === t);
export const streamText = (ms: Msg[], name = 'stdout'): string =>
  ofType(ms, 'stream').filter((m) => m.content.name === name).map((m) => m.content.text).join('');

/** text/plain of a cell's execute_result; throws with the error when the cell failed. */
export async function evalText(k: KernelClient, code: string): Promise<string> {
  const r = await k.execute(code);
  if (r.reply.content.status !== 'ok') throw new Error(`cell ${r.reply.content.status}: ${r.reply.content.ename}: ${r.reply.content.evalue}\n${code}`);
  return ofType(r.iopub, 'execute_result')[0]?.content.data['text/plain'] ?? '';
}

/** Sends `code` and resolves once the kernel reports it busy (so an interrupt hits running code). */
export async function startCell(k: KernelClient, code: string, extra: Record<string, unknown> = {}): Promise<{ id: string; done: ReturnType<KernelClient['execute']> }> {
  const before = new Set(k.byParent.keys());
  const done = k.execute(code, extra);
  const end = Date.now() + 20_000;
  let id: string | undefined;
  while (!(id = [...k.byParent.keys()].find((p) => !before.has(p) && k.byParent.get(p)!.some((m) => m.header.msg_type === 'execute_input')))) {
    if (!k.alive()) throw new Error(`the kernel died (exit ${k.proc.exitCode ?? k.proc.signalCode}); log tail:\n${k.stderr.slice(-1500)}`);
    if (Date.now() > end) throw new Error('cell never started');
    await sleep(5);
  }
  return { id, done };
}
