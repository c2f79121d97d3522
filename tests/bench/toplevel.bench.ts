// Top-level speed (issue 12 item 3): `let s = 0; for (let i = 0; i < 3e6; i++) s += i` through the kernel
// (jupyter_client) at top level, inside `{ ... }`, and with `var`, against the same loop in plain `node -e`.
// Each cell times itself with performance.now() and prints it; the wall time (request -> idle) is kept too.
// Names get the repeat's number so that no repeat depends on redeclaration.
// FLOWBOOK_BENCH_NODE_LINES="20 22 24 26" runs it all once per Node line (binaries from scripts/node-lines.sh;
// 20 is the machine's node), the kernel and `node -e` on that line's node; default: the node running the bench.
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { jupyterPeers, runDriver, machine, fmtLoad } from './jupyter-peers';
import type { BenchResult, BenchRow } from './types';

const REPEAT = Number(process.env.FLOWBOOK_BENCH_REPEAT ?? 3);
const N = '3e6';
const SUM = String((3e6 * (3e6 - 1)) / 2); // the loop's result: a cell that prints anything else did not run the loop

const timed = (decl: string, body: string, t0: string) =>
  `${decl} ${t0} = performance.now(); ${body}; console.log('CELL_MS', performance.now() - ${t0}, String(s_{r}));`;
const CASES = {
  'top-level let': timed('const', `let s_{r} = 0; for (let i = 0; i < ${N}; i++) s_{r} += i`, 't0_{r}'),
  block: `{ const t0 = performance.now(); let s = 0; for (let i = 0; i < ${N}; i++) s += i; console.log('CELL_MS', performance.now() - t0, String(s)); }`,
  'top-level var': timed('var', `var s_{r} = 0; for (var i_{r} = 0; i_{r} < ${N}; i_{r}++) s_{r} += i_{r}`, 'tv_{r}'),
};
type Case = keyof typeof CASES;
const NODE_CODE = CASES['top-level let'].replace(/\{r\}/g, '0');

interface Run { cell: number; repeat: number; wall_s: number; stdout: string; error: string | null }
interface Stat { cell_ms: number; wall_ms: number; runs: number }

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function parse(name: string, runs: Run[], cell: number): Stat {
  const mine = runs.filter((r) => r.cell === cell);
  const cellMs = mine.map((r) => {
    const m = /CELL_MS (\S+) (\d+)/.exec(r.stdout);
    if (r.error || !m || m[2] !== SUM) throw new Error(`${name}: cell ${cell} gave ${r.error ?? JSON.stringify(r.stdout)}`);
    return Number(m[1]);
  });
  if (!mine.length) throw new Error(`${name}: cell ${cell} never ran`);
  return { cell_ms: median(cellMs), wall_ms: median(mine.map((r) => r.wall_s * 1000)), runs: mine.length };
}

function plainNode(node: string): Stat {
  const cell: number[] = [];
  const wall: number[] = [];
  for (let r = 0; r < REPEAT; r++) {
    const t0 = performance.now();
    const p = spawnSync(node, ['-e', NODE_CODE], { encoding: 'utf8' });
    wall.push(performance.now() - t0);
    const m = /CELL_MS (\S+) (\d+)/.exec(p.stdout);
    if (p.status !== 0 || !m || m[2] !== SUM) throw new Error(`node -e failed: ${p.stderr}`);
    cell.push(Number(m[1]));
  }
  return { cell_ms: median(cell), wall_ms: median(wall), runs: REPEAT };
}

const f1 = (x: number) => `${x.toFixed(x < 100 ? 1 : 0)} ms`;
const times = (s: Stat) => `${f1(s.cell_ms)} in cell, ${f1(s.wall_ms)} wall`;

/** The node binary of each line asked for (the machine's own when its major is asked for). */
function nodeLines(): { major: string; node: string }[] {
  const asked = (process.env.FLOWBOOK_BENCH_NODE_LINES ?? '').split(/\s+/).filter(Boolean);
  const own = process.versions.node.split('.')[0];
  if (!asked.length) return [{ major: own, node: process.execPath }];
  return asked.map((major) => {
    if (major === own) return { major, node: process.execPath };
    const script = path.resolve(__dirname, '../../../scripts/node-lines.sh');
    const r = spawnSync('bash', [script, major], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (r.status !== 0) throw new Error(`scripts/node-lines.sh ${major} failed`);
    return { major, node: r.stdout.trim().split(' ')[1] };
  });
}

export async function bench(): Promise<BenchResult> {
  const results = [];
  for (const { major, node } of nodeLines()) results.push(await benchOn(node, major));
  return {
    area: 'toplevel',
    rows: results.flatMap((r) => r.rows),
    notes: results.flatMap((r) => r.notes),
    data: Object.fromEntries(results.map((r) => [`node${r.major}`, r.data])),
  };
}

async function benchOn(node: string, major: string) {
  const peers = jupyterPeers(node);
  const before = { ...machine(), node: spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim() };
  const names = Object.keys(CASES) as Case[];
  let r;
  try {
    r = await runDriver<Record<string, { runs: Run[]; error?: string }>>(peers, {
      mode: 'cells',
      timeout: 600,
      repeat: REPEAT,
      kernels: [
        { name: 'flowbook', cells: names.map((n) => CASES[n]) },
        ...(peers.names.includes('deno') ? [{ name: 'deno', cells: [CASES['top-level let']] }] : []),
      ],
    });
  } finally {
    peers.cleanup();
  }
  const fb = r.kernels.flowbook;
  if (fb.error) throw new Error(`flowbook: ${fb.error}`);
  const stat = Object.fromEntries(names.map((n, i) => [n, parse('flowbook', fb.runs, i)])) as Record<Case, Stat>;
  const plain = plainNode(node);
  const deno = r.kernels.deno && !r.kernels.deno.error ? parse('deno', r.kernels.deno.runs, 0) : undefined;
  const loadAfter = machine().loadavg;
  const row = (c: string, a: Stat, b: Stat, bName: string, goal = true): BenchRow => {
    const ratio = a.cell_ms / b.cell_ms;
    return {
      case: c, flowbook: times(a), baseline: `${bName}: ${times(b)}`,
      ratio: `${ratio.toFixed(2)}x (wall ${(a.wall_ms / b.wall_ms).toFixed(2)}x)`,
      goal: goal ? '<= 1.5x' : '', met: goal ? ratio <= 1.5 : undefined,
    };
  };
  const rows: BenchRow[] = [
    row(`Node ${major}, 3e6 loop: top-level let / block (in kernel)`, stat['top-level let'], stat.block, 'block'),
    row(`Node ${major}, 3e6 loop: top-level let / node -e`, stat['top-level let'], plain, 'node -e'),
    row(`Node ${major}, 3e6 loop: top-level var / block (in kernel)`, stat['top-level var'], stat.block, 'block'),
    row(`Node ${major}, 3e6 loop: top-level var / node -e`, stat['top-level var'], plain, 'node -e'),
  ];
  if (deno) rows.push(row(`Node ${major}, 3e6 loop: top-level let, flowbook / deno`, stat['top-level let'], deno, 'deno', false));
  const notes = [
    `through ${r.client}, Node ${before.node}, ${before.cpus} x ${before.cpu}, ` +
      `loadavg before ${fmtLoad(before.loadavg)}, after ${fmtLoad(loadAfter)}; median of ${REPEAT}`,
    'ratio: performance.now() measured inside the cell; wall = execute_request -> idle (node -e: the whole process)',
  ];
  const data = { client: r.client, machine: { ...before, loadavg_after: loadAfter }, cases: CASES, flowbook: stat, node: plain, deno, raw: r.kernels };
  return { major, rows, notes, data };
}
