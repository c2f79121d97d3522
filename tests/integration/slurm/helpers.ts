// Shared by the SLURM integration tests: real SLURM only; an unreachable controller fails, never skips.
import { afterEach, beforeAll } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SubmitHooks, TaskSpec } from '../../../extension/backends/backend';
import { SlurmExecutionBackend, type SlurmOptions } from '../../../extension/backends/slurm';

const root = path.resolve(__dirname, '../../..');

/** Call in beforeAll: fails with a clear message when SLURM is down; builds the agent srun starts from dist/. */
export function requireSlurm(): void {
  const ping = spawnSync('scontrol', ['ping'], { encoding: 'utf8', timeout: 10000 });
  if (ping.status !== 0 || !/is UP/.test(ping.stdout)) {
    throw new Error(`SLURM is not reachable (${(ping.stdout || ping.stderr || String(ping.error)).trim()}); start it with scripts/slurm/start.sh`);
  }
  const agent = path.join(root, 'dist/extension/backends/slurm/agent.js');
  const dirs = ['extension/backends', 'extension/backends/slurm', 'extension/backends/proc'].map((d) => path.join(root, d));
  const newest = Math.max(...dirs.flatMap((d) => fs.readdirSync(d).map((f) => fs.statSync(path.join(d, f)).mtimeMs)));
  if (!fs.existsSync(agent) || fs.statSync(agent).mtimeMs < newest) {
    // Other areas may have type errors mid-change; tsc still emits, and we only need our files.
    spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.json')], { stdio: 'ignore' });
  }
  if (!fs.existsSync(agent)) throw new Error(`build did not produce ${agent}`);
}

/**
 * The setup of a file whose tests each make their own backends: SLURM must be up (beforeAll), and every backend
 * a test made is shut down after it (afterEach), so squeue is empty between tests. Returns the maker: options
 * over `{ partition: 'debug' }`, initialised.
 */
export function slurmBackends(defaults: SlurmOptions = {}): (o?: SlurmOptions) => Promise<SlurmExecutionBackend> {
  const made: SlurmExecutionBackend[] = [];
  beforeAll(requireSlurm);
  afterEach(async () => {
    await Promise.all(made.splice(0).map((b) => b.shutdown()));
  });
  return async (o = {}) => {
    const b = new SlurmExecutionBackend({ partition: 'debug', ...defaults, ...o });
    made.push(b);
    await b.init();
    return b;
  };
}

/** CPUs of one node of the debug partition (each node of the test cluster has all of this machine's). */
export const nodeCpus = (): number => Number(execFileSync('sinfo', ['-h', '-p', 'debug', '-o', '%c'], { encoding: 'utf8' }).trim());

let n = 0;
const uid = `${process.pid}-${Date.now().toString(36)}`;
export const nextId = (p: string) => `${p}-${uid}-${++n}`;

export function exec(command: string, extra: Partial<TaskSpec> = {}): TaskSpec {
  return { id: nextId('x'), name: 'sh', kind: 'executable', command, args: [], attempt: 1, ...extra };
}

export function fn(f: (...a: any[]) => unknown, args: unknown[] = [], extra: Partial<TaskSpec> = {}): TaskSpec {
  return { id: nextId('f'), name: f.name || 'fn', kind: 'function', fn: f, source: f.toString(), args, attempt: 1, ...extra };
}

/** Hooks that record the start and let a test wait for it (pushed by the backend). */
export function startHooks(): SubmitHooks & { startedP: Promise<void>; count: number } {
  let go!: () => void;
  const h = { startedP: new Promise<void>((r) => (go = r)), count: 0, started: () => (h.count++, go()) };
  return h;
}

/** squeue lines (`jobid stepid-or-job name`), with steps: `squeue -s` lists job steps. */
export function squeue(steps = false): string[] {
  const out = execFileSync('squeue', steps ? ['-h', '-s', '-o', '%i %j'] : ['-h', '-o', '%i %j %T'], { encoding: 'utf8' });
  return out.split('\n').filter(Boolean);
}

/** Waits for a condition SLURM reaches asynchronously (a job leaving squeue); fails with `what` if it never does. */
export async function until(what: string, cond: () => boolean, capMs = 30000): Promise<void> {
  const end = Date.now() + capMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A live process; a zombie (exited, waiting for its reaper) does not count. */
export const pidAlive = (pid: number): boolean => {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};
