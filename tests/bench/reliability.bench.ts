// Reliability benchmark: kernel RSS growth over many %%flow cells (1,000 tasks each, live table + Gantt chart).
// Also used by tests/integration/reliability/memory.test.ts, which asserts the bound on the same run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KernelClient } from './kernel-client';
import type { BenchResult } from './types';

// Compiled: dist/tests/bench; under ts-jest: tests/bench.
const ROOT = path.resolve(__dirname, __dirname.split(path.sep).includes('dist') ? '../../..' : '../..');
import { MAIN, KERNEL_ARGV } from '../integration/kernel/helpers';

export const CELL = `%%flow
const double = flow.functionTask((i: number) => i * 2, { name: 'double' });
const xs = [];
for (let i = 0; i < 1000; i++) xs.push(double(i));
(await Promise.all(xs)).length`;

export interface MemoryRun {
  cells: number;
  tasksPerCell: number;
  /** Kernel RSS (MB) after one warm-up cell (modules, vega, TS emitter loaded), and after every 10th cell. */
  baselineMB: number;
  samplesMB: number[];
  /** Highest RSS during the run minus the baseline. */
  growthMB: number;
  /** Growth over the second half of the run, per 100 cells: what a leak would add per 100 more cells. */
  slopeMBPer100: number;
  seconds: number;
  /** Cells whose reply was not ok, or that showed no live-table display. */
  bad: string[];
}

function rss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) / 1024;
}

export async function measureCellMemory(cells = 100): Promise<MemoryRun> {
  if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build`);
  const k = new KernelClient();
  await k.start(KERNEL_ARGV, { ...process.env, FLOWBOOK_LOG: 'off' });
  try {
    await k.ready();
    const bad: string[] = [];
    const run = async (i: number) => {
      const r = await k.execute(CELL);
      const live = r.iopub.some((m) => m.header.msg_type === 'display_data' && m.content.transient?.display_id);
      if (r.reply.content.status !== 'ok' || !live) bad.push(`cell ${i}: ${r.reply.content.status} ${r.reply.content.evalue ?? ''} live=${live}`);
      // Keep the client's own memory flat: we only need the reply.
      k.byParent.delete(r.id);
    };
    await run(0);
    const pid = k.proc.pid!;
    const baselineMB = rss(pid);
    const samplesMB: number[] = [];
    let peak = baselineMB;
    const t0 = performance.now();
    for (let i = 1; i <= cells; i++) {
      await run(i);
      const now = rss(pid);
      peak = Math.max(peak, now);
      if (i % 10 === 0) samplesMB.push(now);
    }
    const half = samplesMB[Math.floor(samplesMB.length / 2) - 1] ?? baselineMB;
    const slope = ((samplesMB[samplesMB.length - 1] - half) / (cells / 2)) * 100;
    return { cells, tasksPerCell: 1000, baselineMB, samplesMB, growthMB: peak - baselineMB, slopeMBPer100: slope, seconds: (performance.now() - t0) / 1000, bad };
  } finally {
    await k.close();
  }
}

export async function bench(): Promise<BenchResult> {
  const r = await measureCellMemory(100);
  return {
    area: 'reliability',
    rows: [
      {
        case: `kernel RSS growth, ${r.cells} %%flow cells × ${r.tasksPerCell} tasks`,
        flowbook: `${r.growthMB.toFixed(0)} MB (${r.slopeMBPer100.toFixed(0)} MB/100 cells late)`,
        baseline: `${r.baselineMB.toFixed(0)} MB after 1 cell`,
        ratio: '',
        goal: '< 300 MB growth',
        met: r.growthMB < 300 && r.bad.length === 0,
      },
    ],
    data: { ...r },
  };
}
