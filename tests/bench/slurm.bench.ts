// SLURM benchmark: 200 `true` tasks through SlurmExecutionBackend (pilot mode, the default, and srun mode) vs the
// raw `srun true` loop, all at the same concurrency (2 = the node's CPUs: srun per task cannot run more at once,
// and the pilot gets 2 slots), in the same run. Also the submit-to-start latency (hooks.started) p50.
import { spawn } from 'node:child_process';
import type { BenchResult, BenchRow } from './types';
import { SlurmExecutionBackend, type SlurmOptions } from '../../extension/backends/slurm';
import type { TaskSpec } from '../../extension/backends/backend';

const N = 200;
const CONCURRENCY = 2;

function srunTrue(): Promise<void> {
  return new Promise((res, rej) => {
    const c = spawn('srun', ['-p', 'debug', '-N1', '-n1', 'true'], { stdio: 'ignore' });
    c.on('exit', (code) => (code === 0 ? res() : rej(new Error(`srun true exited ${code}`))));
  });
}

/** Runs `n` jobs with at most `k` at once; returns tasks per second. */
async function pool(n: number, k: number, job: (i: number) => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: k }, async () => {
    while (next < n) await job(next++);
  }));
  return n / ((performance.now() - t0) / 1000);
}

const task = (i: number): TaskSpec => ({ id: `bench-${i}-${Math.random()}`, name: 'true', kind: 'executable', command: 'true', args: [], attempt: 1 });
const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** All N submitted at once (the backend bounds concurrency itself); cold start included. */
async function throughBackend(o: SlurmOptions): Promise<{ rate: number; startP50: number }> {
  const b = new SlurmExecutionBackend({ partition: 'debug', ...o });
  await b.init();
  const lat: number[] = [];
  const t0 = performance.now();
  await Promise.all(Array.from({ length: N }, (_, i) => {
    const s = performance.now();
    return b.submit(task(i), { started: () => lat.push(performance.now() - s) });
  }));
  const rate = N / ((performance.now() - t0) / 1000);
  // Latency with an idle, warm pilot: one task at a time.
  const idle: number[] = [];
  for (let i = 0; i < 50 && o.mode !== 'srun'; i++) {
    const s = performance.now();
    await b.submit(task(i), { started: () => idle.push(performance.now() - s) });
  }
  await b.shutdown();
  return { rate, startP50: idle.length ? p50(idle) : p50(lat) };
}

export async function bench(): Promise<BenchResult> {
  const raw = await pool(N, CONCURRENCY, srunTrue);
  const pilot = await throughBackend({ slots: CONCURRENCY });
  const srun = await throughBackend({ mode: 'srun', maxConcurrent: CONCURRENCY });
  const rows: BenchRow[] = [
    {
      case: `${N} x true, pilot (default) vs raw srun loop, ${CONCURRENCY} at once`,
      flowbook: `${pilot.rate.toFixed(1)} tasks/s`,
      baseline: `${raw.toFixed(1)} tasks/s`,
      ratio: (pilot.rate / raw).toFixed(2),
      goal: '>= 0.8',
      met: pilot.rate / raw >= 0.8,
    },
    {
      case: `${N} x true, srun mode vs raw srun loop, ${CONCURRENCY} at once`,
      flowbook: `${srun.rate.toFixed(1)} tasks/s`,
      baseline: `${raw.toFixed(1)} tasks/s`,
      ratio: (srun.rate / raw).toFixed(2),
      goal: '>= 0.8',
      met: srun.rate / raw >= 0.8,
    },
    { case: 'submit-to-start p50, pilot (idle, warm)', flowbook: `${pilot.startP50.toFixed(1)} ms`, baseline: '', ratio: '', goal: '' },
    { case: 'submit-to-start p50, srun mode (under load)', flowbook: `${srun.startP50.toFixed(1)} ms`, baseline: '', ratio: '', goal: '' },
  ];
  return { area: 'slurm', rows, data: { tasks: N, concurrency: CONCURRENCY, rawSrunPerS: raw, pilot, srun } };
}
