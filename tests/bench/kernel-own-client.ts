// The kernel benchmark's second half: start -> first result and trivial-cell round trip (p50/p99 over 500 cells)
// through our own zeromq client (10 ms reconnect, 20 ms kernel_info retry), the same client for flowbook,
// ipykernel and tslab. Not Deno: its kernel_info reply comes without iopub status, which this client's ready()
// waits for (seen: Deno 2.9.6 timed out here). Front ends use jupyter_client: quote kernel.bench.ts's jupyter_client rows, not these.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KernelClient } from './kernel-client';
import type { BenchResult, BenchRow } from './types';

const ROOT = path.resolve(__dirname, '../../..');
const CELLS = Number(process.env.FLOWBOOK_BENCH_OWN_CELLS ?? 500);
const STARTS = 3;
// As JupyterLab sends: a client without stdin is a batch run, for which flowbook waits for the cell's type check.
const INTERACTIVE = { allow_stdin: true };

interface Target {
  name: string;
  argv: string[];
  code: string;
}

function targets(): Target[] {
  const ipy = fs.mkdtempSync(path.join(os.tmpdir(), 'flowbook-bench-ipy-'));
  process.env.IPYTHONDIR = ipy;
  const list: Target[] = [
    { name: 'flowbook', argv: [process.execPath, path.join(ROOT, 'dist/kernel/main.js'), '{connection_file}'], code: '1 + 1' },
    { name: 'ipykernel', argv: ['/usr/bin/python3', '-Xfrozen_modules=off', '-m', 'ipykernel_launcher', '-f', '{connection_file}'], code: '1 + 1' },
  ];
  const tslab = path.join(ROOT, 'node_modules/tslab/bin/tslab');
  if (fs.existsSync(tslab)) list.push({ name: 'tslab', argv: [process.execPath, tslab, 'kernel', '--config-path', '{connection_file}'], code: '1 + 1' });
  return list;
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, rej) => (t = setTimeout(() => rej(new Error('timeout')), ms)))]).finally(() => clearTimeout(t));
}

/** Spawn -> the first execute_result of a trivial cell. */
async function startToFirstResult(t: Target): Promise<number> {
  const k = new KernelClient();
  const t0 = performance.now();
  try {
    await k.start(t.argv, { ...process.env, FLOWBOOK_LOG: 'off', PYDEVD_DISABLE_FILE_VALIDATION: '1' });
    await withTimeout(k.ready(), 30_000);
    const r = await withTimeout(k.execute(t.code, INTERACTIVE), 30_000);
    // tslab prints results as stdout instead of execute_result: count that as its first result.
    if (!r.iopub.some((m) => m.header.msg_type === 'execute_result' || m.header.msg_type === 'stream')) throw new Error(`${t.name}: no result`);
    return performance.now() - t0;
  } finally {
    await k.close();
  }
}

async function roundTrips(t: Target): Promise<number[]> {
  const k = new KernelClient();
  try {
    await k.start(t.argv, { ...process.env, FLOWBOOK_LOG: 'off', PYDEVD_DISABLE_FILE_VALIDATION: '1' });
    await withTimeout(k.ready(), 30_000);
    for (let i = 0; i < 20; i++) await withTimeout(k.execute(t.code, INTERACTIVE), 30_000); // warm-up
    const times: number[] = [];
    for (let i = 0; i < CELLS; i++) {
      const t0 = performance.now();
      await withTimeout(k.execute(t.code, INTERACTIVE), 30_000); // reply + iopub up to idle (a kernel that stops answering fails)
      times.push(performance.now() - t0);
    }
    return times;
  } finally {
    await k.close();
  }
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const median = (xs: number[]) => pct(xs, 50);
const ms = (x: number | undefined) => (x === undefined ? 'n/a' : `${x.toFixed(x < 10 ? 2 : 0)} ms`);

export async function ownClientBench(): Promise<Pick<BenchResult, 'rows' | 'data'>> {
  const data: Record<string, any> = {};
  for (const t of targets()) {
    try {
      const starts: number[] = [];
      for (let i = 0; i < STARTS; i++) starts.push(await startToFirstResult(t));
      data[t.name] = { start_ms: starts, start_median_ms: median(starts) };
      const rt = await roundTrips(t);
      data[t.name] = { start_ms: starts, start_median_ms: median(starts), rt_p50_ms: pct(rt, 50), rt_p99_ms: pct(rt, 99), cells: rt.length };
    } catch (e) {
      data[t.name] = { ...data[t.name], error: String((e as Error).message ?? e) };
    }
    console.error(t.name, JSON.stringify(data[t.name]));
  }
  const f = data.flowbook ?? {};
  const rows: BenchRow[] = [];
  for (const base of ['ipykernel', 'tslab']) {
    const b = data[base] ?? {};
    if (b.start_median_ms === undefined) continue;
    const row = (what: string, key: 'start_median_ms' | 'rt_p50_ms' | 'rt_p99_ms', goal: string, met?: boolean): BenchRow => ({
      case: `${what}, own client (flowbook/${base})`, flowbook: ms(f[key]), baseline: `${base} ${ms(b[key])}`,
      ratio: `${(f[key] / b[key]).toFixed(2)}x`, goal, met,
    });
    rows.push(
      row('start -> first result', 'start_median_ms', '<= 1500 ms', f.start_median_ms <= 1500),
      row('trivial cell p50', 'rt_p50_ms', '<= 5 ms', f.rt_p50_ms <= 5),
      row('trivial cell p99', 'rt_p99_ms', ''),
    );
  }
  return { rows, data };
}
