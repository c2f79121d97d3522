// Kernel benchmark, in one run: start -> first result and trivial-cell round trip (p50/p99) for flowbook, Deno,
// tslab and ipykernel, first through jupyter_client (what front ends use; the figures to quote), then through our
// own zeromq client with a 10 ms reconnect (kept for comparison with earlier runs, labelled as such).
import { jupyterPeers, runDriver, machine, fmtLoad, type PeerName } from './jupyter-peers';
import { ownClientBench } from './kernel-own-client';
import type { BenchResult, BenchRow } from './types';

const CELLS = Number(process.env.FLOWBOOK_BENCH_CELLS ?? 200);
const STARTS = Number(process.env.FLOWBOOK_BENCH_STARTS ?? 5);
const PEERS: PeerName[] = ['deno', 'ipykernel', 'tslab'];

interface Start { total_s: number; ready_s: number; first_cell_s: number }
interface Measured {
  starts: Start[];
  start_median_s?: number;
  rt_p50_s?: number;
  rt_p99_s?: number;
  rt_distinct_p50_s?: number;
  rt_cells?: number;
  error?: string;
  rt_error?: string;
}

const ms = (s: number | undefined) => (s === undefined ? 'n/a' : `${(s * 1000).toFixed(s < 0.01 ? 2 : 1)} ms`);
/** flowbook / peer for times: below 1 means flowbook is faster. */
const ratio = (f: number | undefined, b: number | undefined) => (f === undefined || b === undefined ? 'n/a' : `${(f / b).toFixed(2)}x`);

function rowsFor(f: Measured, name: string, b: Measured, via: string): BenchRow[] {
  // The goal is against Deno: at or under its figures, in the same run.
  const goal = name === 'deno' ? '<= 1.00x deno' : '';
  const met = (x?: number, y?: number) => (goal && x !== undefined && y !== undefined ? x <= y : undefined);
  const failed = (why?: string) => (why ? ` (${why.slice(0, 60)})` : '');
  const row = (what: string, key: 'start_median_s' | 'rt_p50_s' | 'rt_p99_s' | 'rt_distinct_p50_s', why?: string, withGoal = true): BenchRow => ({
    case: `${what}, ${via} (flowbook/${name})`,
    flowbook: ms(f[key]),
    baseline: `${name} ${ms(b[key])}${failed(why)}`,
    ratio: ratio(f[key], b[key]),
    goal: withGoal ? goal : '',
    met: withGoal ? met(f[key], b[key]) : undefined,
  });
  return [
    row('start -> first result', 'start_median_s', b.error),
    row('trivial cell p50', 'rt_p50_s', b.rt_error),
    row('trivial cell p99', 'rt_p99_s', undefined, false),
    // Each cell new: flowbook checks its types each time (the same cell again reuses the check).
    row('distinct trivial cells p50', 'rt_distinct_p50_s', undefined, false),
  ];
}

async function throughJupyterClient(): Promise<{ rows: BenchRow[]; data: Record<string, unknown>; note: string }> {
  const peers = jupyterPeers();
  try {
    const before = machine();
    const r = await runDriver<Record<string, Measured>>(peers, {
      mode: 'kernel',
      kernels: peers.names.map((name) => ({ name, code: '1 + 1', distinct: '1 + {i}' })),
      starts: STARTS,
      cells: CELLS,
      warmup: 20,
      batch: 20,
    });
    const loadAfter = machine().loadavg;
    const f = r.kernels.flowbook;
    if (!f || f.error || f.rt_error) throw new Error(`flowbook failed through jupyter_client: ${f?.error ?? f?.rt_error}`);
    const via = r.client;
    const rows = PEERS.filter((p) => r.kernels[p]).flatMap((p) => rowsFor(f, p, r.kernels[p], via));
    const note = (`${via}, Python ${r.python}, Node ${before.node}, ${before.cpus} x ${before.cpu}, ` +
      `loadavg before ${fmtLoad(before.loadavg)}, after ${fmtLoad(loadAfter)}; ${STARTS} starts, ${CELLS} cells` +
      (peers.missing.length ? `; missing peers: ${peers.missing.join(', ')}` : ''));
    console.error(`kernel: ${note}`);
    const data = {
      client: via, python: r.python, machine: { ...before, loadavg_after: loadAfter },
      starts: STARTS, cells: CELLS, missing: peers.missing, kernels: r.kernels,
    };
    return { rows, data, note };
  } finally {
    peers.cleanup();
  }
}

export async function bench(): Promise<BenchResult> {
  const jc = await throughJupyterClient();
  const own = await ownClientBench();
  const notes = [
    `through ${jc.note}`,
    'start -> first result = KernelManager.start_kernel + client.wait_for_ready (its 0.2 s iopub flush included, ' +
      'for every kernel alike) + `1 + 1` up to its result; median of the starts',
    'ratios are flowbook/peer (below 1x: flowbook faster); "own client" rows: our zeromq client with a 10 ms ' +
      'reconnect, not what front ends use',
  ];
  return { area: 'kernel', rows: [...jc.rows, ...own.rows], data: { jupyter_client: jc.data, own_client: own.data }, notes };
}
